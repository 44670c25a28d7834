/**
 * The local portal: a small node:http server that plays several budget-disclosure sites on
 * loopback, serving real pages and PDFs from samples/portal/ (copied from the development corpus; see tests/corpus/README.md):
 *
 *  trs     TRS WCM column: the real 长沙市交通运输局 listing (createPageHTML(4, 0, "index", "html")),
 *          generated index_1..3.html, article pages linking attachments by a[href], onclick /
 *          window.open, a pdf.js viewer iframe and <embed>; the real 郑州市商务局 detail page;
 *          robots.txt with Disallow: /private/ and Crawl-delay; and the faults: 429 + Retry-After,
 *          503, slow headers, a slow body, a redirect loop, a truncated body, a 瑞数-style 412 page.
 *  hanweb  Hanweb column: <datastore> CDATA records + POST paging through /module/web/jpage/dataproxy.jsp,
 *          attachments from downfile.jsp with an RFC 5987 Chinese file name.
 *  js      a listing built by JavaScript that also sets a session cookie the attachments require.
 *  gbk     GBK pages whose Content-Type header says utf-8 while <meta> says gb2312, ?page=N
 *          paging with 共N页 and 下一页, downloads with a raw-GBK Content-Disposition file name.
 *  foreign a host outside every allow-list (127.0.0.2): any request to it is a crawler bug.
 *
 * Each site's `/` is a small front page (not a listing) linking its budget column, for crawls
 * that start from the entry page only (tests/crawl-entry.test.ts).
 *
 * Every request goes to the access log (in memory, and JSONL to `logFile` when given).
 * Loopback only: the servers bind 127.0.0.1 / 127.0.0.2 and nothing else.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

export const PORTAL_SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples', 'portal');

export type SiteName = 'trs' | 'hanweb' | 'js' | 'gbk' | 'foreign';

export interface AccessEntry {
  /** Milliseconds since the epoch, sub-millisecond precision. */
  t: number;
  site: SiteName;
  method: string;
  path: string;
  status: number;
  bytes: number;
  conditional: boolean;
  ua: string;
}

export interface PortalOptions {
  /** Crawl-delay in the trs site's robots.txt, seconds. */
  crawlDelay?: number;
  /** How long /fault/slow.pdf holds its headers, ms. */
  slowMs?: number;
  /** Write the access log as JSON lines here too. */
  logFile?: string;
  /** Fixed ports (0 = any free port). */
  ports?: Partial<Record<SiteName, number>>;
  /** Leave out the fault routes (for kill / bench runs that only need the happy path). */
  faults?: boolean;
}

interface FileVersion {
  body: Buffer;
  etag: string | null;
  lastModified: string | null;
}

const HTTP_DATE = (d: Date) => d.toUTCString();
const BASE_DATE = Date.UTC(2026, 1, 12, 8, 0, 0);

export class Portal {
  readonly log: AccessEntry[] = [];
  readonly ports = {} as Record<SiteName, number>;
  private servers: Server[] = [];
  private pdfs: Buffer[];
  private counters = new Map<string, number>();
  /** Attachment path → current content (changes with `change()`). */
  private files = new Map<string, FileVersion>();
  /** site → attachment paths a complete crawl must fetch. */
  private expected = new Map<SiteName, Set<string>>();
  private changes = 0;
  private readonly changshaListing: string;
  private readonly zhengzhouDetail: string;

  constructor(readonly opts: PortalOptions = {}) {
    const dir = join(PORTAL_SAMPLES, 'pdf');
    this.pdfs = readdirSync(dir)
      .filter((f) => f.endsWith('.pdf'))
      .sort()
      .map((f) => readFileSync(join(dir, f)));
    this.changshaListing = readFileSync(join(PORTAL_SAMPLES, 'html', 'changsha-jiaotong-listing.html'), 'utf8');
    this.zhengzhouDetail = readFileSync(join(PORTAL_SAMPLES, 'html', 'zhengzhou-shangwu-detail.html'), 'utf8');
    this.buildRoutes();
  }

  url(site: SiteName, path = '/') {
    return `http://${site === 'foreign' ? '127.0.0.2' : '127.0.0.1'}:${this.ports[site]}${path}`;
  }

  /** Attachment URLs a complete crawl of the site(s) must have fetched. */
  expectedAttachments(site?: SiteName): string[] {
    const out: string[] = [];
    for (const [s, paths] of this.expected) if (!site || s === site) for (const p of paths) out.push(this.url(s, p));
    return out.sort();
  }

  /** Serve different bytes (another real PDF) at an attachment path, with new validators. */
  change(site: SiteName, path: string) {
    const cur = this.files.get(`${site} ${path}`);
    if (!cur) throw new Error(`no attachment ${site} ${path}`);
    this.changes++;
    const body = Buffer.concat([this.pdfs[(this.pdfs.indexOf(cur.body) + 1) % this.pdfs.length] ?? this.pdfs[0]]);
    this.setFile(site, path, body, BASE_DATE + this.changes * 86400_000, cur.etag !== null, cur.lastModified !== null);
  }

  private setFile(site: SiteName, path: string, body: Buffer, mtime: number, withEtag: boolean, withLm: boolean) {
    this.files.set(`${site} ${path}`, {
      body,
      etag: withEtag ? `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` : null,
      lastModified: withLm ? HTTP_DATE(new Date(mtime)) : null,
    });
  }

  private attachment(site: SiteName, path: string, i: number, expected = true) {
    // Some files carry only an ETag, some only Last-Modified, most both: conditional GET must use whatever there is.
    this.setFile(site, path, this.pdfs[i % this.pdfs.length], BASE_DATE + i * 3600_000, i % 3 !== 1, i % 3 !== 2);
    if (expected) {
      if (!this.expected.has(site)) this.expected.set(site, new Set());
      this.expected.get(site)!.add(path);
    }
  }

  // ---------- routes ----------
  private trsDetails: { path: string; title: string; style: number }[] = [];
  private hanwebRecords: { path: string; title: string }[] = [];

  private buildRoutes() {
    // trs: the 15 articles of the real listing + 2 per generated page (index_1..3).
    const real = [...this.changshaListing.matchAll(/<a href="\.\/(\d{6}\/t\d{8}_\d+\.html)">([^<]+)<\/a>/g)].map((m) => ({ path: `/czys/${m[1]}`, title: m[2] }));
    real.forEach((d, i) => this.trsDetails.push({ ...d, style: i % 4 }));
    for (let p = 1; p <= 3; p++)
      for (let k = 1; k <= 2; k++) this.trsDetails.push({ path: `/czys/2024${String(p).padStart(2, '0')}/t2024${String(p).padStart(2, '0')}1${k}_90${p}${k}.html`, title: `长沙市交通运输局所属单位${2020 + p}年部门预算公开（${k}）`, style: (p + k) % 4 });
    this.trsDetails.forEach((d, i) => {
      if (d.style < 4) this.attachment('trs', d.path.replace(/t(\d+_\d+)\.html$/, 'P0$1.pdf'), i);
    });
    // The real 郑州 detail page and its attachment (path as printed, with its token query).
    const zz = /href="(\/attachment\/[^"]+)"/.exec(this.zhengzhouDetail)![1];
    this.setFile('trs', zz.split('?')[0], this.pdfs[0], BASE_DATE, true, true);
    (this.expected.get('trs') ?? this.expected.set('trs', new Set()).get('trs')!).add(zz);
    // Faults that end well: 429 then 200, and a slow body.
    if (this.opts.faults !== false) {
      this.attachment('trs', '/fault/429.pdf', 7);
      this.attachment('trs', '/fault/slowbody.pdf', 8);
    }
    // hanweb: 7 records, 3 inline, 4 through dataproxy.jsp.
    for (let n = 1; n <= 7; n++) {
      this.hanwebRecords.push({ path: `/art/2026/2/${10 + n}/art_1229_${5000 + n}.html`, title: `湖州市第${n}部门2026年部门预算公开` });
      this.attachment('hanweb', `/module/download/downfile.jsp?classid=0&filename=26021${n}.pdf`, n + 2);
    }
    // js: 3 attachments behind a session cookie set by the page script.
    for (let n = 1; n <= 3; n++) this.attachment('js', `/files/budget-${n}.pdf`, n + 4);
    // gbk: 4 articles over 2 pages, downloads by id.
    for (let n = 1; n <= 4; n++) this.attachment('gbk', `/download?id=${n}`, n);
  }

  private count(key: string) {
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    return n;
  }

  private sendFile(req: IncomingMessage, res: ServerResponse, f: FileVersion, extra: Record<string, string> = {}) {
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const headers: Record<string, string> = { 'content-type': 'application/pdf', ...extra };
    if (f.etag) headers.etag = f.etag;
    if (f.lastModified) headers['last-modified'] = f.lastModified;
    const notModified = (inm && f.etag && inm === f.etag) || (!inm && ims && f.lastModified && Date.parse(ims) >= Date.parse(f.lastModified));
    if (notModified) {
      res.writeHead(304, headers);
      return res.end();
    }
    headers['content-length'] = String(f.body.length);
    res.writeHead(200, headers);
    res.end(f.body);
  }

  private sendHtml(req: IncomingMessage, res: ServerResponse, html: string | Buffer, contentType = 'text/html; charset=utf-8') {
    const body = typeof html === 'string' ? Buffer.from(html, 'utf8') : html;
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      return res.end();
    }
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length), etag });
    res.end(body);
  }

  private notFound(res: ServerResponse) {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>404 页面不存在</body></html>');
  }

  private page(title: string, body: string) {
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><div class="nav"><a href="/">首页</a></div>${body}</body></html>`;
  }

  private trs(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`User-agent: *\nDisallow: /private/\nCrawl-delay: ${this.opts.crawlDelay ?? 0.2}\n`);
    }
    if (path === '/czys/index.html') return this.sendHtml(req, res, this.changshaListing);
    const idx = /^\/czys\/index_(\d)\.html$/.exec(path);
    if (idx && Number(idx[1]) <= 3) {
      const p = Number(idx[1]);
      let items = this.trsDetails
        .filter((d) => d.path.startsWith(`/czys/2024${String(p).padStart(2, '0')}/`))
        .map((d) => `<li><span class="date">2024-0${p}-11</span><a href=".${d.path.slice(5)}">${d.title}</a></li>`)
        .join('\n');
      if (p === 1)
        items += `\n<li><a href="./202601/t20260105_1.html">长沙市交通运输局2026年部门预算公开（附件下载异常说明）</a></li>\n<li><a href="./202601/t20260105_2.html">2026年郑州市商务局部门预算公开</a></li>\n<li><a href="./202601/t20260105_3.html">2026年部门预算公开（参考）</a></li>`;
      return this.sendHtml(req, res, this.page('预算公开', `<ul class="czys_listCount_list">${items}</ul><div id="pagediv"><script>createPageHTML(4, ${p}, "index", "html");</script></div>`));
    }
    if (path === '/czys/202601/t20260105_2.html') return this.sendHtml(req, res, this.zhengzhouDetail);
    if (path === '/czys/202601/t20260105_1.html') {
      const faults = this.opts.faults === false ? [] : ['/fault/429.pdf', '/fault/503.pdf', '/fault/slow.pdf', '/fault/slowbody.pdf', '/fault/loop.pdf', '/fault/truncated.pdf', '/fault/challenge.pdf'];
      return this.sendHtml(req, res, this.page('附件', `<h1>2026年部门预算公开</h1>${faults.map((f) => `<p><a href="${f}">附件 ${f}</a></p>`).join('')}`));
    }
    if (path === '/czys/202601/t20260105_3.html')
      return this.sendHtml(
        req,
        res,
        this.page(
          '参考',
          `<h1>2026年部门预算公开</h1><p><a href="/private/secret-budget.pdf">内部预算.pdf</a></p><p><a href="${this.url('foreign', '/evil/budget.pdf')}">外站预算.pdf</a></p><p><a href="http://127.0.0.1:${this.ports.hanweb}/elsewhere.pdf">另一站点.pdf</a></p><p><a href="ftp://127.0.0.1/x.pdf">ftp</a></p>`,
        ),
      );
    // The site's front page (an entry page, not a listing): 财政预决算 leads to the column.
    if (path === '/') return this.sendHtml(req, res, this.page('长沙市交通运输局', '<div class="nav2"><a href="/xwzx/">新闻中心</a> <a href="/czys/index.html">财政预决算</a> <a href="/bsfw/">办事服务</a></div>'));
    if (['/ysjsbg/', '/yszxqk/'].includes(path)) return this.sendHtml(req, res, this.page('长沙市财政预决算公开专栏', '<p>栏目</p>'));
    // The units' sub-columns the real 长沙 listing links (/czys/zssj…/): empty here.
    if (/^\/czys\/zss[a-z]+\/$/.test(path)) return this.sendHtml(req, res, this.page('单位预算', '<p>暂无信息</p>'));
    const d = this.trsDetails.find((x) => x.path === path);
    if (d) {
      const file = d.path.replace(/t(\d+_\d+)\.html$/, 'P0$1.pdf');
      const rel = `./${file.split('/').pop()}`;
      const link = [
        `<a href="${rel}" target="_blank">${d.title}.pdf</a>`,
        `<span class="down" onclick="window.open('${file}')">下载附件：${d.title}</span>`,
        `<iframe src="/pdfjs/web/viewer.html?file=${encodeURIComponent(file)}" width="100%" height="800"></iframe>`,
        `<embed src="${rel}" type="application/pdf" width="100%" height="600">`,
      ][d.style];
      return this.sendHtml(req, res, this.page(d.title, `<h1>${d.title}</h1><div class="content"><p>根据《预算法》规定，现将${d.title}如下。</p>${link}</div>`));
    }
    if (path.startsWith('/pdfjs/')) return this.sendHtml(req, res, this.page('viewer', '<div id="viewer"></div>'));
    if (path.startsWith('/fault/')) return this.fault(req, res, path, search);
    const f = this.files.get(`trs ${path}`);
    if (f) return this.sendFile(req, res, f);
    this.notFound(res);
  }

  private fault(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    const n = this.count(path);
    switch (path) {
      case '/fault/429.pdf':
        if (n % 2 === 1) {
          res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' });
          return res.end('Too Many Requests');
        }
        return this.sendFile(req, res, this.files.get('trs /fault/429.pdf')!);
      case '/fault/503.pdf':
        res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/html; charset=utf-8' });
        return res.end('<html><body>服务暂不可用</body></html>');
      case '/fault/slow.pdf': {
        const t = setTimeout(() => this.sendFile(req, res, { body: this.pdfs[0], etag: null, lastModified: null }), this.opts.slowMs ?? 3000);
        res.on('close', () => clearTimeout(t));
        return;
      }
      case '/fault/slowbody.pdf': {
        const f = this.files.get('trs /fault/slowbody.pdf')!;
        if (req.headers['if-none-match'] === f.etag) return this.sendFile(req, res, f);
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(f.body.length), ...(f.etag ? { etag: f.etag } : {}), ...(f.lastModified ? { 'last-modified': f.lastModified } : {}) });
        const parts = 4;
        const size = Math.ceil(f.body.length / parts);
        let i = 0;
        const tick = () => {
          if (res.destroyed) return;
          res.write(f.body.subarray(i * size, (i + 1) * size));
          if (++i < parts) setTimeout(tick, 150);
          else res.end();
        };
        return tick();
      }
      case '/fault/loop.pdf':
        res.writeHead(302, { location: search ? '/fault/loop.pdf' : '/fault/loop.pdf?again=1' });
        return res.end();
      case '/fault/truncated.pdf': {
        const body = this.pdfs[1];
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.socket?.destroy());
        return;
      }
      case '/fault/challenge.pdf':
        res.writeHead(412, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'FSSBBIl1UgzbN7N80S=abc; path=/' });
        return res.end(
          `<!DOCTYPE html><html><head><meta content="${'x'.repeat(240)}" r='m'><script type="text/javascript">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84123;$_ts.cd="qEcrrrAlEqGL";</script><script type="text/javascript" r='m' src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"></script></head><body></body></html>`,
        );
    }
    this.notFound(res);
  }

  private datastore(from: number, to: number) {
    const recs = this.hanwebRecords
      .slice(from - 1, to)
      .map((r) => `<record><![CDATA[\n<li><a href="${r.path}" target="_blank" title="${r.title}">${r.title}</a><span>2026-02-12</span></li>]]></record>`)
      .join('\n');
    return `<datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=2956&path=/&columnid=1229&unitid=5858&webname=%E6%B9%96%E5%B7%9E%E5%B8%82&permissiontype=0"></a>]]></nextgroup>\n<recordset>\n${recs}\n</recordset>\n</datastore>`;
  }

  private hanweb(req: IncomingMessage, res: ServerResponse, path: string, search: string, body: string) {
    if (path === '/') return this.sendHtml(req, res, this.page('湖州市人民政府', '<ul class="menu"><li><a href="/col/col1200/index.html">政务动态</a></li><li><a href="/col/col1229/index.html">部门预算公开</a></li></ul>'));
    if (path === '/col/col1229/index.html') {
      const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>部门预算</title><script src="/module/jslib/jquery/jquery.js"></script></head><body>
<div class="nav"><a href="/">首页</a></div>
<div id="5858"><script type="text/xml">${this.datastore(1, 3)}</script>
<script language="javascript">
var dataStore = document.getElementById('5858');
$('#5858').jpage({ dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 3, groupSize: 1, totalRecord: 7, barPosition: 'bottom', ajaxParam: { col: 1, appid: 1, webid: 2956, path: '/', columnid: 1229, sourceContentType: 1, unitid: 5858, webname: '湖州市', permissiontype: 0 } });
</script></div></body></html>`;
      return this.sendHtml(req, res, html);
    }
    if (path === '/module/web/jpage/dataproxy.jsp') {
      const q = new URLSearchParams(search);
      const b = new URLSearchParams(body);
      if (req.method !== 'POST' || b.get('columnid') !== '1229') {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return res.end('bad request');
      }
      const xml = this.datastore(Number(q.get('startrecord')), Number(q.get('endrecord')));
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      return res.end(xml);
    }
    const rec = this.hanwebRecords.findIndex((r) => r.path === path);
    if (rec >= 0) {
      const n = rec + 1;
      return this.sendHtml(req, res, this.page(this.hanwebRecords[rec].title, `<h1>${this.hanwebRecords[rec].title}</h1><p>附件：<a href="/module/download/downfile.jsp?classid=0&filename=26021${n}.pdf">第${n}部门2026年部门预算.pdf</a></p>`));
    }
    if (path === '/module/download/downfile.jsp') {
      const f = this.files.get(`hanweb ${path}${search}`);
      if (f) {
        const name = `湖州市第${search.match(/26021(\d)/)?.[1]}部门2026年部门预算.pdf`;
        return this.sendFile(req, res, f, { 'content-disposition': `attachment; filename="budget.pdf"; filename*=UTF-8''${encodeURIComponent(name)}` });
      }
    }
    this.notFound(res);
  }

  private js(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === '/') return this.sendHtml(req, res, this.page('佛山市某局', '<p><a href="/about.html">机构概况</a> · <a href="/list.html">预算公开</a></p>'));
    if (path === '/list.html') {
      const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>预算公开</title></head><body><ul id="list"></ul>
<script>
document.cookie = 'jsession=' + ['o', 'k'].join('') + '; path=/';
var items = [1, 2, 3].map(function (n) { return { t: '第' + n + '批部门预算', u: ['', 'files', 'budget-' + n].join('/') + '.' + 'p' + 'df' }; });
document.getElementById('list').innerHTML = items.map(function (it) { return '<li><a href="' + it.u + '">' + it.t + '</a></li>'; }).join('');
</script></body></html>`;
      return this.sendHtml(req, res, html);
    }
    const f = this.files.get(`js ${path}`);
    if (f) {
      if (!/(^|;\s*)jsession=ok(;|$)/.test(req.headers.cookie ?? '')) {
        res.writeHead(403, { 'content-type': 'text/plain' });
        return res.end('forbidden: no session');
      }
      return this.sendFile(req, res, f);
    }
    this.notFound(res);
  }

  private gbk(req: IncomingMessage, res: ServerResponse, path: string, search: string) {
    const q = new URLSearchParams(search);
    // The header claims UTF-8; the bytes and the <meta> are GBK.
    const send = (html: string) => this.sendHtml(req, res, iconv.encode(html, 'gbk'), 'text/html; charset=utf-8');
    const head = (t: string) => `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>${t}</title></head><body>`;
    if (path === '/') return send(`${head('苏州市某局')}<div class="menu"><a href="/news">工作动态</a> <a href="/list?page=1">部门预算</a></div></body></html>`);
    if (path === '/list') {
      const p = Number(q.get('page') ?? 1);
      if (p < 1 || p > 2) return this.notFound(res);
      const items = [1, 2]
        .map((k) => (p - 1) * 2 + k)
        .map((id) => `<li><a href="/show?id=${id}">苏州市第${id}局2026年部门预算公开</a></li>`)
        .join('');
      return send(`${head('部门预算')}<ul>${items}</ul><div class="page">共2页 当前第${p}页 ${p < 2 ? `<a href="/list?page=${p + 1}">下一页</a>` : ''}</div></body></html>`);
    }
    if (path === '/show') {
      const id = Number(q.get('id'));
      if (!(id >= 1 && id <= 4)) return this.notFound(res);
      return send(`${head(`苏州市第${id}局2026年部门预算公开`)}<h1>苏州市第${id}局2026年部门预算公开</h1><a href="/download?id=${id}">点击下载附件</a></body></html>`);
    }
    if (path === '/download') {
      const f = this.files.get(`gbk ${path}${search}`);
      if (f) {
        // Raw GBK bytes in filename="…" (what many Chinese servers send), no filename*.
        const raw = iconv.encode(`苏州市第${q.get('id')}局2026年部门预算.pdf`, 'gbk').toString('latin1');
        return this.sendFile(req, res, f, { 'content-disposition': `attachment; filename="${raw}"` });
      }
    }
    this.notFound(res);
  }

  private handle(site: SiteName, req: IncomingMessage, res: ServerResponse) {
    const t = performance.timeOrigin + performance.now();
    const u = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let bytes = 0;
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      res.write = ((c: unknown, ...a: unknown[]) => {
        if (c && typeof c !== 'function') bytes += Buffer.byteLength(c as Buffer);
        return (write as (...x: unknown[]) => boolean)(c, ...a);
      }) as typeof res.write;
      res.end = ((c: unknown, ...a: unknown[]) => {
        if (c && typeof c !== 'function') bytes += Buffer.byteLength(c as Buffer);
        return (end as (...x: unknown[]) => ServerResponse)(c, ...a);
      }) as typeof res.end;
      res.on('close', () => {
        const e: AccessEntry = {
          t,
          site,
          method: req.method ?? 'GET',
          path: u.pathname + u.search,
          status: res.statusCode,
          bytes,
          conditional: !!(req.headers['if-none-match'] || req.headers['if-modified-since']),
          ua: String(req.headers['user-agent'] ?? ''),
        };
        this.log.push(e);
        if (this.opts.logFile) appendFileSync(this.opts.logFile, JSON.stringify(e) + '\n');
      });
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        if (site === 'trs') return this.trs(req, res, u.pathname, u.search.slice(1));
        if (site === 'hanweb') return this.hanweb(req, res, u.pathname, u.search.slice(1) ? u.search : '', body);
        if (site === 'js') return this.js(req, res, u.pathname);
        if (site === 'gbk') return this.gbk(req, res, u.pathname, u.search);
        res.writeHead(418, { 'content-type': 'text/plain' });
        res.end('this host is outside every allow-list');
      } catch (e) {
        res.writeHead(500);
        res.end(String(e));
      }
    });
  }

  async start(): Promise<this> {
    const sites: SiteName[] = ['trs', 'hanweb', 'js', 'gbk', 'foreign'];
    for (const site of sites) {
      const server = createServer((req, res) => this.handle(site, req, res));
      server.keepAliveTimeout = 2000;
      const host = site === 'foreign' ? '127.0.0.2' : '127.0.0.1';
      const listen = (port: number) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      const want = this.opts.ports?.[site] ?? 0;
      try {
        await listen(want);
      } catch (e) {
        // A preferred port that is taken: any free port will do.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || want === 0) throw e;
        await listen(0);
      }
      this.ports[site] = (server.address() as AddressInfo).port;
      this.servers.push(server);
    }
    return this;
  }

  async stop() {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections();
            s.close(() => r());
          }),
      ),
    );
    this.servers = [];
  }

  /** The sources config for crawling this portal (YAML text), from crawlers/portal/sources.yaml. */
  sourcesYaml(template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'sources.yaml'), 'utf8')): string {
    return template.replace(/\$\{(trs|hanweb|js|gbk|foreign)\}/g, (_, s: SiteName) => String(this.ports[s]));
  }
}

/**
 * Ports the CLI asks for first (`--portal`, `npm start`), so that a second run crawls the same
 * URLs and shows the incremental crawl (304s, nothing new). Taken ports fall back to free ones.
 */
export const DEFAULT_PORTAL_PORTS: Record<SiteName, number> = { trs: 47801, hanweb: 47802, js: 47803, gbk: 47804, foreign: 47805 };

export async function startPortal(opts: PortalOptions = {}) {
  return new Portal(opts).start();
}
