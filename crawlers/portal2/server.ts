/**
 * The second test portal, written for issue 11 and unlike crawlers/portal/: one host whose entry
 * page is a city front page (not a listing), a 政府信息公开 hub in a table layout, and four budget
 * columns in the usual styles, each reached only through links:
 *
 *  /zfxxgk/czyjs/bmys/   TRS-like 部门预算: createPageHTML('page_div', 3, 0, 'index', 'html'),
 *                        articles in <table> rows with dates, relative ../ links, attachments as
 *                        ./P0…pdf and an .xlsx, one under /admin/ (robots Disallow);
 *  /col/col3301/         Hanweb 部门决算: the first records inline in <datastore> CDATA, the rest
 *                        through dataproxy.jsp with the columns' parameters in `var ajaxParam`,
 *                        totalRecord / perpage in the inline script; downloads via downfile.jsp;
 *  /dwys/list.php?p=1    单位预算 in GBK (no charset in the header), paged only by 下一页,
 *                        attachments behind getfile.php?fid=N with 附件： link texts;
 *  /jxmb/                绩效目标 listing filled by a script from a JSON list API
 *                        (/api/articles?channel=jxmb&page=N, 5 a page);
 *  /sgjf/                三公经费 listing whose API (/api/sgjf) answers only requests that carry the
 *                        X-Requested-With header the page's script adds: the crawler's plain request
 *                        is refused (403), so the listing must be rendered in Chromium.
 *
 * robots.txt: Disallow /admin/, Crawl-delay (seconds, from the options). The front page also links
 * a foreign host (127.0.0.2) that a crawl must never contact. Loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

export interface Portal2Options {
  crawlDelay?: number;
}

export interface Portal2Access {
  t: number;
  host: 'main' | 'foreign';
  method: string;
  path: string;
  status: number;
  ua: string;
}

const TRS_PAGES = 3;
const TRS_PER_PAGE = 5;
const HANWEB_TOTAL = 10;
const HANWEB_INLINE = 4;
const GBK_PAGES = 3;
const GBK_PER_PAGE = 3;
const JS_TOTAL = 7;
const JS_PER_PAGE = 5;
const SGJF_TOTAL = 3;
const DEPTS = ['教育局', '民政局', '财政局', '交通运输局', '卫生健康委员会', '农业农村局', '水利局', '商务局', '文化和旅游局', '应急管理局', '审计局', '统计局', '林业局', '医疗保障局', '体育局'];

/** A small, distinct, valid-looking PDF per file. */
function pdf(label: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`, 'utf8');
}

export class Portal2 {
  readonly log: Portal2Access[] = [];
  port = 0;
  foreignPort = 0;
  private servers: Server[] = [];
  /** path (with query) → attachment bytes; `expected` are those a complete crawl must fetch. */
  private files = new Map<string, { body: Buffer; type: string; name: string }>();
  private expected = new Set<string>();

  constructor(readonly opts: Portal2Options = {}) {
    for (let n = 1; n <= TRS_PAGES * TRS_PER_PAGE; n++) {
      this.file(`/zfxxgk/czyjs/bmys/202602/P02026021${String(n).padStart(2, '0')}.pdf`, `${this.trsTitle(n)}.pdf`);
      if (n % 5 === 0) this.file(`/zfxxgk/czyjs/bmys/202602/W02026021${String(n).padStart(2, '0')}.xlsx`, `${this.trsTitle(n)}附表.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    }
    this.file('/admin/draft-budget.pdf', '内部草稿.pdf', 'application/pdf', false);
    for (let n = 1; n <= HANWEB_TOTAL; n++) this.file(`/module/download/downfile.jsp?classid=0&filename=2508${String(n).padStart(2, '0')}.pdf`, `县${DEPTS[n - 1]}2025年部门决算.pdf`);
    for (let n = 1; n <= GBK_PAGES * GBK_PER_PAGE; n++) this.file(`/dwys/getfile.php?fid=${9000 + n}`, `县第${n}学校2026年单位预算.pdf`);
    for (let n = 1; n <= JS_TOTAL; n++) this.file(`/uploads/jxmb/2026/jx${n}.pdf`, `县${DEPTS[n - 1]}2026年项目支出绩效目标表.pdf`);
    for (let n = 1; n <= SGJF_TOTAL; n++) this.file(`/uploads/sgjf/sg${n}.pdf`, `县${DEPTS[n + 1]}2026年三公经费预算.pdf`);
  }

  private file(path: string, name: string, type = 'application/pdf', expected = true) {
    this.files.set(path, { body: pdf(`${path} ${name}`), type, name });
    if (expected) this.expected.add(path);
  }

  private trsTitle(n: number) {
    return `县${DEPTS[(n - 1) % DEPTS.length]}2026年部门预算公开`;
  }

  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Absolute URLs of every attachment a complete crawl fetches, sorted. */
  expectedAttachments(): string[] {
    return [...this.expected].map((p) => this.url(p)).sort();
  }

  private page(title: string, body: string, crumb = '') {
    return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}_某县人民政府</title><link rel="stylesheet" href="/css/site.css"></head>
<body><div class="header"><img src="/img/logo.png" alt="某县人民政府"></div>
<div class="menu"><a href="/">首页</a> | <a href="/news/">新闻中心</a> | <a href="/zfxxgk/index.html">政府信息公开</a> | <a href="/bsfw/">办事服务</a> | <a href="/hdjl/">互动交流</a></div>
${crumb ? `<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/index.html">政府信息公开</a> &gt; ${crumb}</div>` : ''}
<div class="main">${body}</div><div class="footer">主办：某县人民政府办公室 <a href="/sitemap.html">网站地图</a></div></body></html>`;
  }

  private front() {
    const news = [1, 2, 3].map((n) => `<li><a href="/news/202602/t2026020${n}_${700 + n}.html">县领导调研春耕备耕工作（${n}）</a><span>2026-02-0${n}</span></li>`).join('');
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>某县人民政府门户网站</title><script src="/js/jquery.min.js"></script></head><body>
<div id="top"><a href="/">首页</a><a href="/news/">新闻中心</a><a href="/zfxxgk/index.html">政府信息公开</a><a href="/bsfw/">办事服务</a></div>
<div class="banner"><img src="/img/banner.jpg"></div>
<div class="block"><h3>要闻动态</h3><ul>${news}</ul><a class="more" href="/news/">更多&gt;&gt;</a></div>
<div class="links">友情链接：<a href="http://127.0.0.2:${this.foreignPort}/">市财政局</a> <a href="http://127.0.0.2:${this.foreignPort}/czys/budget.pdf">市级预算.pdf</a></div>
<script>$(function(){ $('#top a').hover(function(){ $(this).toggleClass('on'); }); });</script></body></html>`;
  }

  private hub() {
    const row = (a: string, b: string) => `<tr><td>${a}</td><td>${b}</td></tr>`;
    return this.page(
      '政府信息公开',
      `<table class="gkml">${row('<a href="/zfxxgk/jgzn/">机构职能</a>', '<a href="/zfxxgk/zcwj/">政策文件</a>')}
${row('<a href="/zfxxgk/czyjs/bmys/index.html">部门预算</a>', '<a href="/col/col3301/index.html">部门决算</a>')}
${row('<a href="/dwys/list.php?p=1">单位预算</a>', '<a href="/jxmb/">绩效目标</a>')}
${row('<a href="/sgjf/">三公经费</a>', '<a href="/zfxxgk/jgzn/">机构设置</a>')}
${row('<a href="/zfxxgk/zfcg/">政府采购</a>', '<a href="/zfxxgk/ndbg/">政府信息公开年报</a>')}</table>`,
      '政府信息公开',
    );
  }

  private trsList(p: number) {
    const rows: string[] = [];
    for (let k = 1; k <= TRS_PER_PAGE; k++) {
      const n = p * TRS_PER_PAGE + k;
      rows.push(`<tr><td class="t"><a href="../bmys/202602/t20260215_${8800 + n}.html" title="${this.trsTitle(n)}" target="_blank">${this.trsTitle(n).slice(0, 10)}…</a></td><td class="d">2026-02-${String(10 + k).padStart(2, '0')}</td></tr>`);
    }
    return this.page(
      '部门预算',
      `<table class="list">${rows.join('\n')}</table><div id="page_div"></div>
<script type="text/javascript">createPageHTML('page_div', ${TRS_PAGES}, ${p}, 'index', 'html', ${TRS_PAGES * TRS_PER_PAGE});</script>`,
      '<a href="/zfxxgk/czyjs/bmys/index.html">部门预算</a>',
    );
  }

  private trsDetail(n: number) {
    const pad = String(n).padStart(2, '0');
    const xls = n % 5 === 0 ? `<p><a href="./W02026021${pad}.xlsx">附表（Excel）</a></p>` : '';
    const admin = n === 1 ? '<p><a href="/admin/draft-budget.pdf">内部草稿</a></p>' : '';
    return this.page(
      this.trsTitle(n),
      `<h2 class="title">${this.trsTitle(n)}</h2><div class="info">来源：县财政局　发布时间：2026-02-15</div>
<div class="content"><p>根据预算法，现将${this.trsTitle(n)}如下。</p></div>
<div class="appendix">相关附件：<a href="./P02026021${pad}.pdf" OLDSRC="/protect/P0.pdf">${this.trsTitle(n)}.pdf</a></div>${xls}${admin}`,
      '<a href="/zfxxgk/czyjs/bmys/index.html">部门预算</a> &gt; 正文',
    );
  }

  private hanwebRecord(n: number) {
    return `<record><![CDATA[<div class="item"><a href="/art/2025/8/${n}/art_3301_${6600 + n}.html" title="县${DEPTS[n - 1]}2025年部门决算公开">县${DEPTS[n - 1]}2025年部门决算公开</a><i>2025-08-${String(n).padStart(2, '0')}</i></div>]]></record>`;
  }

  private hanwebList() {
    const inline = Array.from({ length: HANWEB_INLINE }, (_, i) => this.hanwebRecord(i + 1)).join('\n');
    return this.page(
      '部门决算',
      `<div id="div3301"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=77&path=/&columnid=3301&unitid=15050&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>${inline}</recordset></datastore></script></div>
<script language="javascript">var totalRecord = ${HANWEB_TOTAL}; var perpage = ${HANWEB_INLINE};
var ajaxParam = { col: 1, appid: 1, webid: 77, path: '/', columnid: 3301, sourceContentType: 1, unitid: 15050, webname: '某县', permissiontype: 0 };
$.ajax({ type: 'post', url: '/module/web/jpage/dataproxy.jsp?startrecord=' + (perpage + 1) + '&endrecord=' + totalRecord + '&perpage=' + perpage, data: ajaxParam });</script>`,
      '部门决算',
    );
  }

  private dataproxy(search: URLSearchParams, body: string) {
    const form = new URLSearchParams(body);
    if (form.get('columnid') !== '3301' || form.get('webid') !== '77') return null;
    const start = Number(search.get('startrecord'));
    const end = Math.min(HANWEB_TOTAL, Number(search.get('endrecord')));
    if (!(start >= 1 && end >= start)) return null;
    const recs = Array.from({ length: end - start + 1 }, (_, i) => this.hanwebRecord(start + i)).join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>${HANWEB_TOTAL}</totalrecord><recordset>${recs}</recordset></datastore>`;
  }

  private hanwebDetail(n: number) {
    const f = `/module/download/downfile.jsp?classid=0&filename=2508${String(n).padStart(2, '0')}.pdf`;
    return this.page(`县${DEPTS[n - 1]}2025年部门决算公开`, `<h1>县${DEPTS[n - 1]}2025年部门决算公开</h1><p>发布日期：2025-08-${String(n).padStart(2, '0')}</p><p>附件：<a href="${f}">县${DEPTS[n - 1]}2025年部门决算.pdf</a></p>`, '部门决算');
  }

  private gbkList(p: number) {
    const items: string[] = [];
    for (let k = 1; k <= GBK_PER_PAGE; k++) {
      const n = (p - 1) * GBK_PER_PAGE + k;
      items.push(`<dd><a href="show.php?id=${300 + n}">县第${n}学校2026年单位预算</a> <em>[2026-03-0${k}]</em></dd>`);
    }
    const next = p < GBK_PAGES ? `<a href="list.php?p=${p + 1}">下一页</a>` : '<span>下一页</span>';
    const prev = p > 1 ? `<a href="list.php?p=${p - 1}">上一页</a>` : '';
    return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>单位预算</title></head><body><div class="nav"><a href="/">返回首页</a></div><dl>${items.join('')}</dl><div class="pg">${prev} ${next}</div></body></html>`;
  }

  private gbkDetail(n: number) {
    return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>县第${n}学校2026年单位预算</title></head><body><h3>县第${n}学校2026年单位预算</h3><div>附件：<a href="getfile.php?fid=${9000 + n}">县第${n}学校2026年单位预算.pdf</a></div></body></html>`;
  }

  private jsList() {
    return this.page(
      '绩效目标',
      `<ul id="art-list" class="list"></ul><div id="pager"></div>
<script>
var channel = 'jxmb';
function load(page) {
  fetch('/api/articles?channel=' + channel + '&page=' + page).then(function (r) { return r.json(); }).then(function (d) {
    document.getElementById('art-list').innerHTML = d.data.list.map(function (it) { return '<li><a href="' + it.link + '">' + it.title + '</a><span>' + it.pubDate + '</span></li>'; }).join('');
  });
}
load(1);
</script>`,
      '绩效目标',
    );
  }

  private sgjfList() {
    return this.page(
      '三公经费',
      `<table id="sg"></table>
<script>
fetch('/api/sgjf?page=1', { headers: { 'X-Requested-With': 'XMLHttpRequest' } }).then(function (r) { return r.json(); }).then(function (rows) {
  document.getElementById('sg').innerHTML = rows.map(function (x) { return '<tr><td><a href="' + x.file + '">' + x.name + '</a></td></tr>'; }).join('');
});
</script>`,
      '三公经费',
    );
  }

  private api(search: URLSearchParams) {
    const page = Number(search.get('page') ?? 1);
    if (search.get('channel') !== 'jxmb' || !(page >= 1)) return null;
    const list = [];
    for (let n = (page - 1) * JS_PER_PAGE + 1; n <= Math.min(JS_TOTAL, page * JS_PER_PAGE); n++)
      list.push({ id: n, title: `县${DEPTS[n - 1]}2026年项目支出绩效目标`, link: `/jxmb/2026/03/c${5500 + n}.html`, pubDate: `2026-03-1${n % 10}` });
    return { code: 0, data: { total: JS_TOTAL, pageSize: JS_PER_PAGE, pageCount: Math.ceil(JS_TOTAL / JS_PER_PAGE), page, list } };
  }

  private jsDetail(n: number) {
    return this.page(`县${DEPTS[n - 1]}2026年项目支出绩效目标`, `<h1>县${DEPTS[n - 1]}2026年项目支出绩效目标</h1><p>下载：<a href="/uploads/jxmb/2026/jx${n}.pdf">绩效目标表.pdf</a></p>`, '绩效目标');
  }

  private route(method: string, path: string, search: URLSearchParams, body: string, headers: IncomingMessage['headers'] = {}): { status: number; type: string; body: Buffer | string; headers?: Record<string, string> } {
    const html = (b: string) => ({ status: 200, type: 'text/html; charset=utf-8', body: b });
    const gbk = (b: string) => ({ status: 200, type: 'text/html', body: iconv.encode(b, 'gbk') });
    const q = search.toString();
    const f = this.files.get(q ? `${path}?${q}` : path);
    if (f) return { status: 200, type: f.type, body: f.body, headers: { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}` } };
    if (path === '/robots.txt') return { status: 200, type: 'text/plain', body: `User-agent: *\nDisallow: /admin/\nCrawl-delay: ${this.opts.crawlDelay ?? 0.05}\n` };
    if (path === '/' || path === '/index.html') return html(this.front());
    if (path === '/zfxxgk/index.html' || path === '/zfxxgk/') return html(this.hub());
    let m = /^\/zfxxgk\/czyjs\/bmys\/index(?:_(\d+))?\.html$/.exec(path);
    if (m && Number(m[1] ?? 0) < TRS_PAGES) return html(this.trsList(Number(m[1] ?? 0)));
    m = /^\/zfxxgk\/czyjs\/bmys\/202602\/t20260215_(\d+)\.html$/.exec(path);
    if (m && Number(m[1]) - 8800 >= 1 && Number(m[1]) - 8800 <= TRS_PAGES * TRS_PER_PAGE) return html(this.trsDetail(Number(m[1]) - 8800));
    if (path === '/col/col3301/index.html') return html(this.hanwebList());
    if (path === '/module/web/jpage/dataproxy.jsp' && method === 'POST') {
      const x = this.dataproxy(search, body);
      if (x) return { status: 200, type: 'text/xml; charset=utf-8', body: x };
    }
    m = /^\/art\/2025\/8\/\d+\/art_3301_(\d+)\.html$/.exec(path);
    if (m && Number(m[1]) - 6600 >= 1 && Number(m[1]) - 6600 <= HANWEB_TOTAL) return html(this.hanwebDetail(Number(m[1]) - 6600));
    if (path === '/dwys/list.php' && Number(search.get('p')) >= 1 && Number(search.get('p')) <= GBK_PAGES) return gbk(this.gbkList(Number(search.get('p'))));
    if (path === '/dwys/show.php' && Number(search.get('id')) > 300 && Number(search.get('id')) <= 300 + GBK_PAGES * GBK_PER_PAGE) return gbk(this.gbkDetail(Number(search.get('id')) - 300));
    if (path === '/jxmb/' || path === '/jxmb/index.html') return html(this.jsList());
    if (path === '/api/articles') {
      const x = this.api(search);
      if (x) return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify(x) };
    }
    if (path === '/sgjf/') return html(this.sgjfList());
    if (path === '/api/sgjf') {
      if (headers['x-requested-with'] !== 'XMLHttpRequest') return { status: 403, type: 'text/plain', body: 'forbidden' };
      const rows = Array.from({ length: SGJF_TOTAL }, (_, i) => ({ name: `县${DEPTS[i + 2]}2026年三公经费预算`, file: `/uploads/sgjf/sg${i + 1}.pdf` }));
      return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify(rows) };
    }
    m = /^\/jxmb\/2026\/03\/c(\d+)\.html$/.exec(path);
    if (m && Number(m[1]) - 5500 >= 1 && Number(m[1]) - 5500 <= JS_TOTAL) return html(this.jsDetail(Number(m[1]) - 5500));
    if (/^\/(news|bsfw|hdjl|zfxxgk\/(jgzn|zcwj|zfcg|ndbg))\/$/.test(path)) return html(this.page('栏目', '<p>暂无信息</p>'));
    return { status: 404, type: 'text/html; charset=utf-8', body: '<h1>404</h1>' };
  }

  private handle(host: 'main' | 'foreign', req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r = host === 'foreign' ? { status: 403, type: 'text/plain', body: 'foreign host' } : this.route(req.method ?? 'GET', u.pathname, u.searchParams, Buffer.concat(chunks).toString('utf8'), req.headers);
      const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
      this.log.push({ t: performance.timeOrigin + performance.now(), host, method: req.method ?? 'GET', path: `${u.pathname}${u.search}`, status: r.status, ua: String(req.headers['user-agent'] ?? '') });
      res.writeHead(r.status, { 'content-type': r.type, 'content-length': body.length, ...(r.headers ?? {}) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  async start(): Promise<this> {
    for (const host of ['foreign', 'main'] as const) {
      const server = createServer((req, res) => this.handle(host, req, res));
      server.keepAliveTimeout = 2000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host === 'main' ? '127.0.0.1' : '127.0.0.2', () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      if (host === 'main') this.port = port;
      else this.foreignPort = port;
      this.servers.push(server);
    }
    return this;
  }

  async stop() {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
    this.servers = [];
  }
}
