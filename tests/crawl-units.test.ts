/**
 * Crawler pieces on real inputs: link discovery on saved pages of real budget sites
 * (tests/corpus/html), the sources config's line-numbered errors, Content-Disposition file
 * names, GBK pages whose header lies, address safety, anti-bot detection, Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { discoverLinks, discoverPageLinks } from '../crawlers/discover.ts';
import { ConfigError, parseSources, resolveSource } from '../crawlers/config.ts';
import { filenameFromDisposition, filenameFromUrl } from '../crawlers/filename.ts';
import { decodeHtml, parseRetryAfter } from '../crawlers/crawler.ts';
import { checkUrl, isPrivateAddress, SafetyError } from '../crawlers/safety.ts';
import { CORPUS } from './helpers/paths.ts';
import { detectChallenge } from '../crawlers/antibot.ts';

const HTML = join(CORPUS, 'html');
const page = (f: string) => decodeHtml(readFileSync(join(HTML, f)), null).text;

describe('link discovery on real pages', () => {
  it('TRS listing (长沙市交通运输局): createPageHTML pages and the 15 articles, not the navigation', () => {
    const links = discoverLinks(page('015_长沙/交通运输局_2026年部门预算.html'), 'http://jtj.changsha.gov.cn/czys/index.html', 'listing');
    expect(links.filter((l) => l.kind === 'listing').map((l) => l.url)).toEqual([1, 2, 3].map((i) => `http://jtj.changsha.gov.cn/czys/index_${i}.html`));
    const articles = links.filter((l) => l.kind === 'detail' && /\/t\d{8}_\d+\.html$/.test(l.url));
    expect(articles.length).toBe(15);
    expect(articles[0]).toMatchObject({ url: 'http://jtj.changsha.gov.cn/czys/202602/t20260212_12313790.html', anchor: '长沙市交通运输局2026年部门预算公开' });
    expect(links.some((l) => /\.css|\.js$/.test(l.url))).toBe(false);
  });

  it('detail pages: the attachment link, percent-encoded Chinese name and token query kept', () => {
    const links = discoverLinks(page('016_郑州/商务局_2026年部门预算.html'), 'https://public.zhengzhou.gov.cn/D2801X/1.html', 'detail');
    expect(links.map((l) => l.kind)).toEqual(['attachment']);
    expect(decodeURIComponent(new URL(links[0].url).pathname)).toBe('/attachment/2026年郑州市商务局部门预算公开.pdf');
    expect(links[0].url).toContain('?zEdau7nBM8');
  });

  it('finds attachments built in scripts and archives (温州 sPdfUrl, 天津 .rar)', () => {
    const wz = discoverLinks(page('028_温州/卫生健康委员会_2026年部门预算.html'), 'https://wjw.wenzhou.gov.cn/art/1.html', 'detail');
    expect(wz.filter((l) => l.kind === 'attachment').map((l) => l.url)).toEqual(['https://wjw.wenzhou.gov.cn/cms_files/filemanager/1515396/attach/20262/A628C2ACFD9CE3480178C68EE4F76E11.pdf']);
    const tj = discoverLinks(page('012_天津/交通运输局_2026年部门预算.html'), 'https://cz.tj.gov.cn/a/b.html', 'detail');
    expect(tj.filter((l) => l.kind === 'attachment').map((l) => l.url)).toEqual(['https://cz.tj.gov.cn/zwgk_53713/yjsgktypt/ysgk/2018nbmysgkml/202008/W020200803658872276649.rar']);
  });

  it('download endpoints recognized by their link text (南通 download.do, 常州 点击下载)', () => {
    const nt = discoverLinks(page('023_南通/政府办公厅_2026年部门预算.html'), 'https://www.nantong.gov.cn/a/b.html', 'detail').filter((l) => l.kind === 'attachment');
    expect(nt.map((l) => l.anchor)).toContain('南通市政府办公室2026年度部门预算公开.pdf');
    expect(nt.find((l) => l.anchor?.endsWith('.pdf'))!.url).toMatch(/\/truecms\/attachmentController\/download\.do\?id=/);
    const cz = discoverLinks(page('026_常州/民政局_2026年部门预算.html'), 'https://mzj.changzhou.gov.cn/a/b.html', 'detail').filter((l) => l.kind === 'attachment');
    expect(cz.map((l) => l.url)).toContain('https://mzj.changzhou.gov.cn/downxxgk.php?fid=15177459703371');
    // Navigation such as 下载中心 is not an attachment.
    const sz = discoverLinks(page('006_苏州/财政局_2026年部门预算.html'), 'https://czj.suzhou.gov.cn/a/b.html', 'detail');
    expect(sz.filter((l) => l.anchor === '下载中心')).toEqual([]);
  });

  it('across the corpus: every page the manifest says links documents yields them', () => {
    const rows = readFileSync(join(HTML, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    let exact = 0;
    for (const [file, , pdf, xls] of rows) {
      const want = Number(pdf) + Number(xls);
      const html = page(file);
      const found = discoverLinks(html, 'https://example.gov.cn/col/index.html', 'detail').filter((l) => l.kind === 'attachment');
      // Distinct attachment hrefs in the page (the manifest counts duplicates twice).
      const distinct = new Set([...html.matchAll(/href=["']([^"']+\.(?:pdf|docx?|xlsx?))["']/gi)].map((m) => m[1])).size;
      expect(found.length, file).toBeGreaterThanOrEqual(Math.min(want, distinct));
      if (Number(pdf) > 0) expect(found.some((l) => /\.pdf/i.test(l.url)), file).toBe(true);
      if (found.length === want) exact++;
    }
    // The rest differ on purpose: .rar / .zip archives, script-built links and extension-less
    // download endpoints the manifest does not count, and hrefs it counts twice.
    expect(exact).toBeGreaterThanOrEqual(138);
  });

  it('a detail page that is really a sub-column (无锡市生态环境局 单位预算 list) is followed as one', () => {
    const html = page('014_无锡/生态环境局_2026年部门预算.html');
    const plain = discoverLinks(html, 'https://sthjj.wuxi.gov.cn/a/b.shtml', 'detail');
    expect(plain.some((l) => l.kind === 'attachment')).toBe(false);
    expect(plain.filter((l) => l.kind === 'detail' && /预算|决算/.test(l.anchor ?? ''))).toEqual([]);
    const links = discoverPageLinks(html, 'https://sthjj.wuxi.gov.cn/a/b.shtml', 'detail').filter((l) => l.kind === 'detail' && /预算|决算/.test(l.anchor ?? ''));
    expect(links.length).toBe(5);
    expect(links.map((l) => l.anchor)).toContain('无锡市生态环境安全应急中心2026年度单位预算公开');
    // An ordinary article page with its attachment stays an article page.
    const zz = discoverPageLinks(page('016_郑州/商务局_2026年部门预算.html'), 'https://public.zhengzhou.gov.cn/D2801X/1.html', 'detail');
    expect(zz.map((l) => l.kind)).toEqual(['attachment']);
  });

  it('Hanweb datastore records and dataproxy.jsp POST paging', () => {
    const html = `<div id="5858"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2956&path=/&columnid=1229&unitid=5858&webname=%E6%B9%96%E5%B7%9E%E5%B8%82&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2026/2/12/art_1229_1.html" title="2026年部门预算">2026年部门预算</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2026/2/12/art_1229_2.html">2025年部门决算</a></li>]]></record></recordset></datastore></script>
<script>$('#5858').jpage({ proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 2, groupSize: 2, totalRecord: 9 });</script></div>`;
    const links = discoverLinks(html, 'http://www.huzhou.gov.cn/col/col1229/index.html', 'listing');
    expect(links.filter((l) => l.kind === 'detail').map((l) => l.url)).toEqual(['http://www.huzhou.gov.cn/art/2026/2/12/art_1229_1.html', 'http://www.huzhou.gov.cn/art/2026/2/12/art_1229_2.html']);
    const posts = links.filter((l) => l.method === 'POST');
    expect(posts.map((l) => new URL(l.url).search)).toEqual(['?startrecord=3&endrecord=6&perpage=2', '?startrecord=7&endrecord=9&perpage=2']);
    expect(new URLSearchParams(posts[0].body).get('columnid')).toBe('1229');
    expect(new URLSearchParams(posts[0].body).get('webname')).toBe('湖州市');
  });

  it('onclick / window.open, pdf.js viewer ?file=, embed, ?page=N with 共N页 and 下一页', () => {
    const html = `<span onclick="window.open('/upload/a.pdf')">下载</span>
<iframe src="/pdfjs/web/viewer.html?file=%2Fupload%2Fb.pdf"></iframe><embed src="c.xls">
<a href="javascript:void(0)" onclick="downloadFile('/upload/d.docx')">附件</a>
<div>共3页 <a href="list.jsp?page=2&col=7">下一页</a></div>`;
    const links = discoverLinks(html, 'http://x.gov.cn/yjs/list.jsp?page=1&col=7', 'listing');
    expect(links.filter((l) => l.kind === 'attachment').map((l) => l.url.replace('http://x.gov.cn', '')).sort()).toEqual(['/upload/a.pdf', '/upload/b.pdf', '/upload/d.docx', '/yjs/c.xls']);
    expect(links.filter((l) => l.kind === 'listing').map((l) => new URL(l.url).search).sort()).toEqual(['?page=2&col=7', '?page=3&col=7']);
  });
});

describe('sources config', () => {
  const good = `defaults:
  delay_seconds: 2
sources:
  - name: changsha-jtj
    region: 长沙市
    start_urls:
      - http://jtj.changsha.gov.cn/zfxxgk/czys/
    patterns:
      attachment: ['\\.pdf$']
`;
  it('parses and fills defaults', () => {
    const f = parseSources(good);
    const s = resolveSource(f.sources[0], f.defaults);
    expect(s).toMatchObject({ name: 'changsha-jtj', region: '长沙市', allowedHosts: ['jtj.changsha.gov.cn'], delayMs: 2000, allowPrivateAddresses: false, concurrencyPerHost: 1 });
  });

  const err = (text: string) => {
    try {
      parseSources(text, 'sources.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('names the line and field of each error', () => {
    expect(err(good.replace('http://jtj.changsha.gov.cn/zfxxgk/czys/', 'jtj.changsha.gov.cn'))).toBe('sources.yaml:7: sources[0].start_urls[0]: Invalid URL (http or https)');
    expect(err(good.replace('delay_seconds: 2', 'delay_seconds: soon'))).toMatch(/^sources\.yaml:2: defaults\.delay_seconds: /);
    expect(err(good.replace("['\\.pdf$']", "['(unclosed']"))).toBe('sources.yaml:9: sources[0].patterns.attachment[0]: not a valid regular expression');
    expect(err(good.replace('    region: 长沙市', '    regoin: 长沙市'))).toMatch(/^sources\.yaml:5: sources\[0\]: Unrecognized key/);
    expect(err(good + '  - name: changsha-jtj\n    start_urls: [http://a.gov.cn/]\n')).toBe('sources.yaml:10: sources[1].name: duplicate source name changsha-jtj');
    expect(err('sources: [\n  {name: a\n')).toMatch(/^sources\.yaml:\d+: YAML syntax/);
  });

  it('the shipped example config is valid', () => {
    const f = parseSources(readFileSync(resolve(import.meta.dirname, '..', 'config', 'sources.example.yaml'), 'utf8'));
    expect(f.sources.length).toBeGreaterThanOrEqual(3);
  });
});

describe('file names from Content-Disposition', () => {
  it('RFC 5987 filename* wins over filename', () => {
    expect(filenameFromDisposition(`attachment; filename="budget.pdf"; filename*=UTF-8''${encodeURIComponent('2026年部门预算.pdf')}`)).toBe('2026年部门预算.pdf');
    const gbk = [...iconv.encode('部门预算.xls', 'gbk')].map((b) => (b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase()}`)).join('');
    expect(filenameFromDisposition(`attachment; filename*=GBK''${gbk}`)).toBe('部门预算.xls');
  });
  it('raw GBK or UTF-8 bytes, and percent-encoding, in filename=', () => {
    expect(filenameFromDisposition(`attachment; filename="${iconv.encode('苏州市预算.pdf', 'gbk').toString('latin1')}"`)).toBe('苏州市预算.pdf');
    expect(filenameFromDisposition(`attachment; filename="${Buffer.from('郑州市预算.pdf').toString('latin1')}"`)).toBe('郑州市预算.pdf');
    expect(filenameFromDisposition(`attachment;filename=${encodeURIComponent('济南市.docx')}`)).toBe('济南市.docx');
    expect(filenameFromDisposition('inline')).toBeNull();
  });
  it('falls back to the URL', () => {
    expect(filenameFromUrl('https://a.gov.cn/x/%E9%A2%84%E7%AE%97.pdf?t=1')).toBe('预算.pdf');
    expect(filenameFromUrl('https://a.gov.cn/down?fileUrl=abc&fileName=%E6%B5%8E%E5%8D%97.doc')).toBe('济南.doc');
  });
});

describe('decoding, safety, challenges', () => {
  it('decodes GBK pages whose header says utf-8 and whose meta says gb2312', () => {
    const bytes = iconv.encode('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>部门预算公开</body></html>', 'gbk');
    expect(decodeHtml(bytes, 'text/html; charset=utf-8')).toMatchObject({ encoding: 'gb18030' });
    expect(decodeHtml(bytes, 'text/html; charset=utf-8').text).toContain('部门预算公开');
    // And a UTF-8 page that claims gb2312 in its meta.
    const utf = Buffer.from('<meta charset="gb2312"><p>绩效目标</p>');
    expect(decodeHtml(utf, null).text).toContain('绩效目标');
  });

  it('refuses private, loopback and link-local addresses, other schemes and other hosts', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', '::ffff:127.0.0.1', '100.64.0.1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['59.42.1.1', '2400:3200::1', '114.114.114.114']) expect(isPrivateAddress(a), a).toBe(false);
    const policy = { allowedHosts: ['czj.changsha.gov.cn', '127.0.0.1:8080'], allowedSchemes: ['http', 'https'], allowPrivateAddresses: false };
    expect(() => checkUrl('ftp://czj.changsha.gov.cn/a.pdf', policy)).toThrow(SafetyError);
    expect(() => checkUrl('http://evil.example.com/a.pdf', policy)).toThrow(/not in allowed_hosts/);
    expect(() => checkUrl('http://127.0.0.1:8080/a.pdf', policy)).toThrow(/private address/);
    expect(() => checkUrl('http://127.0.0.1:8080/a.pdf', { ...policy, allowPrivateAddresses: true })).not.toThrow();
    expect(() => checkUrl('http://127.0.0.1:9090/a.pdf', { ...policy, allowPrivateAddresses: true })).toThrow(/not in allowed_hosts/);
    expect(checkUrl('https://czj.changsha.gov.cn/czys/', policy).host).toBe('czj.changsha.gov.cn');
  });

  it('detects 瑞数, 加速乐 and WZWS challenges, and leaves ordinary errors alone', () => {
    const b = (s: string) => Buffer.from(s);
    expect(detectChallenge(412, {}, b(`<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>`))).toBe('antibot_ruishu');
    expect(detectChallenge(521, { 'set-cookie': '__jsluid_h=abc; path=/' }, b(`<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')+'=1'</script>`))).toBe('antibot_jiasule');
    expect(detectChallenge(521, {}, b(`<script>document.cookie='__jsl_clearance=1577;max-age=3600';</script>`))).toBe('antibot_jiasule');
    expect(detectChallenge(200, {}, b('<html><script>var wzwschallenge="abc";</script></html>'))).toBe('antibot_wzws');
    expect(detectChallenge(503, {}, b('<html>服务暂不可用</html>'))).toBeNull();
    expect(detectChallenge(412, {}, b('Precondition Failed'))).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', Date.parse('Sat, 21 Nov 2026 10:00:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
