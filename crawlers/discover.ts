/**
 * Link discovery on listing and detail pages, with no per-site code. What real Chinese
 * government CMSs do (see tests/corpus/html):
 *
 *  - TRS WCM: `createPageHTML(4, 0, "index", "html")` writes pagination as index.html,
 *    index_1.html … index_3.html; plain `index_N.html` links.
 *  - Hanweb (大汉): listings ship their first records as `<datastore><recordset><record><![CDATA[
 *    <li><a href=…>…]]></record>` inside a `<script type="text/xml">`, and the rest through POSTs to
 *    `/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P` with the column's
 *    parameters (from `<nextgroup>` or the jpage call) as a form body.
 *  - Generic: `?page=N` / `pageNo=` links with 共N页, "下一页" links.
 *  - Attachments: a[href], onclick / window.open(…), iframe / embed / object, pdf.js viewer
 *    `viewer.html?file=…`, download endpoints with a `fileName=` parameter.
 */
import * as cheerio from 'cheerio';
import type { LinkKind } from './types.ts';
import { findDate, linkRowText } from './context.ts';

export interface DiscoveredLink {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  kind: LinkKind;
  anchor?: string;
  /** How it was found (for debugging and tests). */
  via: string;
  /** Date printed beside the link (its list item / table row), yyyy-mm-dd. */
  date?: string;
}

export interface SourcePatterns {
  listing: RegExp[];
  detail: RegExp[];
  attachment: RegExp[];
  /** Links never followed. */
  exclude: RegExp[];
}

export const EMPTY_PATTERNS: SourcePatterns = { listing: [], detail: [], attachment: [], exclude: [] };

const ATTACHMENT_EXT = /\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|csv)$/i;
const ATTACHMENT_TEXT = /^(附件\d*|下载|点击下载|下载附件|点击下载附件|附件下载|点击查看附件)\s*[:：]?\s*$|^附件\d*\s*[:：]/;
const PAGE_EXT = /(\.s?html?|\.jsp|\.aspx?|\.php|\/)$/i;
/** Anchor texts of budget disclosures (and their listings). */
export const BUDGET_WORDS = /预算|决算|绩效|三公|收支|财政拨款|部门整体|项目支出/;
/** URL shapes of CMS article pages: TRS t20260212_123.html, Hanweb art_12_34.html, dated folders, content ids. */
export const ARTICLE_URL = /\/t\d{8}_\d+\.s?html?$|\/art_\d+_\d+\.html$|\/art\/\d{4}\/\d{1,2}\/\d{1,2}\/|\/\d{6}\/[^/]+\.s?html?$|\/content[_/]\d+|\/(info|detail|article|news)\/[^?]*\d{3,}|[?&](id|articleId|contentId|infoid)=\d+/i;
const NEXT_WORDS = /^(下一页|下页|后一页|下一頁|next|>|»|›)$/i;
const PAGE_PARAM = /([?&](?:page|pageNo|pageNum|pageIndex|currentPage|curPage|p|pn)=)(\d+)/i;
const MAX_GENERATED_PAGES = 500;

function resolve(href: string, base: string): string | null {
  const h = href.trim().replace(/[\r\n\t]/g, '');
  if (!h || /^(javascript:|mailto:|tel:|data:|#)/i.test(h)) return null;
  try {
    const u = new URL(h, base);
    if (!/^https?:$/.test(u.protocol) && u.protocol !== 'file:') return null;
    u.hash = '';
    return u.toString();
  } catch {
    return null;
  }
}

export function isAttachmentUrl(url: string, patterns: SourcePatterns = EMPTY_PATTERNS): boolean {
  if (patterns.attachment.some((r) => r.test(url))) return true;
  try {
    const u = new URL(url);
    if (ATTACHMENT_EXT.test(decodeURIComponent(u.pathname))) return true;
    for (const k of ['fileName', 'filename', 'file', 'name', 'fileUrl']) {
      const v = u.searchParams.get(k);
      if (v && ATTACHMENT_EXT.test(v) && !/viewer/i.test(u.pathname)) return true;
    }
  } catch {
    /* not a URL */
  }
  return false;
}

/** URLs quoted inside a script snippet (onclick, href="javascript:…"). */
function urlsInScript(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/(?:window\.open|location(?:\.href)?\s*=|location\.assign|location\.replace|open[A-Z]\w*|download\w*|view\w*|show\w*)\s*\(?\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of code.matchAll(/['"]((?:https?:\/\/|\/|\.\.?\/)[^'"\s]+)['"]/g)) out.push(m[1]);
  for (const m of code.matchAll(/['"]([^'"\s]+\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar))['"]/gi)) out.push(m[1]);
  return [...new Set(out)];
}

/** pdf.js viewers: /pdfjs/web/viewer.html?file=/a/b.pdf → the file. */
function viewerTarget(url: string): string | null {
  try {
    const u = new URL(url);
    const f = u.searchParams.get('file');
    if (f && /viewer|pdfjs|preview/i.test(u.pathname)) return new URL(f, u).toString();
  } catch {
    /* ignore */
  }
  return null;
}

interface Ctx {
  base: string;
  pageKind: LinkKind;
  patterns: SourcePatterns;
  out: Map<string, DiscoveredLink>;
}

function add(ctx: Ctx, raw: string | null | undefined, via: string, anchor?: string, force?: LinkKind, date?: string | null) {
  if (!raw) return;
  const url = resolve(raw, ctx.base);
  if (!url) return;
  if (ctx.patterns.exclude.some((r) => r.test(url))) return;
  const viewer = viewerTarget(url);
  if (viewer) return add(ctx, viewer, `${via}+viewer`, anchor, 'attachment', date);
  let kind: LinkKind | null = force ?? null;
  const text = (anchor ?? '').replace(/\s+/g, ' ').trim();
  if (!kind) {
    if (isAttachmentUrl(url, ctx.patterns)) kind = 'attachment';
    else if (ctx.patterns.listing.some((r) => r.test(url))) kind = 'listing';
    else if (ctx.patterns.detail.some((r) => r.test(url))) kind = 'detail';
    // On an article page, a link whose text is a file name or says 附件 / 下载 is an attachment,
    // whatever its URL looks like (download?id=…, servlet paths).
    else if (ctx.pageKind === 'detail' && (ATTACHMENT_TEXT.test(text) || ATTACHMENT_EXT.test(text))) kind = 'attachment';
    else if (ctx.pageKind === 'listing' && !ctx.patterns.detail.length) {
      let path = '';
      try {
        path = new URL(url).pathname;
      } catch {
        /* ignore */
      }
      if (BUDGET_WORDS.test(text) && PAGE_EXT.test(path || '/')) kind = 'detail';
      else if (ARTICLE_URL.test(url) && text.length >= 4) kind = 'detail';
    }
  }
  if (!kind) return;
  // Details only come from listings (or from configured patterns); a detail page yields attachments.
  if (kind === 'detail' && ctx.pageKind !== 'listing' && !force && !ctx.patterns.detail.some((r) => r.test(url))) return;
  const key = url;
  const prev = ctx.out.get(key);
  if (!prev || (kind === 'listing' && prev.kind !== 'listing'))
    ctx.out.set(key, { url, method: 'GET', kind, anchor: text || prev?.anchor || undefined, via, ...(date || prev?.date ? { date: (date || prev?.date)! } : {}) });
  else {
    if (!prev.anchor && text) prev.anchor = text;
    if (!prev.date && date) prev.date = date;
  }
}

/**
 * TRS WCM paging: createPageHTML(count, current, "index", "html"), the same with a container id
 * first ('page_div', count, current, 'index', 'html', records), or with variables
 * (_nPageCount, _nCurrIndex, _sPageName, _sPageExt) assigned earlier in the page.
 */
function trsPagination(ctx: Ctx, html: string) {
  const value = (arg: string): string => {
    const a = arg.trim();
    if (/^[A-Za-z_$][\w$]*$/.test(a)) {
      const m = new RegExp(`(?:var|let|const)?\\s*\\b${a.replace(/\$/g, '\\$')}\\s*=\\s*(?:parseInt\\()?\\s*(['"]?)([\\w.-]+)\\1`).exec(html);
      return m ? (m[1] ? `"${m[2]}"` : m[2]) : a;
    }
    return a;
  };
  for (const m of html.matchAll(/createPageHTML\s*\(([^)]*)\)/g)) {
    let args = m[1].split(',').map(value);
    // A container id first: ('page_div', count, current, name, ext, records).
    if (args.length >= 5 && /^['"]/.test(args[0]) && /^\d+$/.test(args[1])) args = args.slice(1);
    const count = /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : NaN;
    if (!Number.isFinite(count)) continue;
    const strs = args.filter((a) => /^['"][\w.-]+['"]$/.test(a)).map((a) => a.slice(1, -1));
    const ext = strs.find((s) => /^s?html?$|^jsp$/.test(s)) ?? 'html';
    const name = strs.find((s) => s !== ext && !/^page|div$/i.test(s)) ?? 'index';
    for (let i = 0; i < Math.min(count, MAX_GENERATED_PAGES); i++) add(ctx, i === 0 ? `${name}.${ext}` : `${name}_${i}.${ext}`, 'trs', undefined, 'listing');
  }
}

/** Total pages printed on a listing: 共5页, 共 5 页, 1/5页, totalPage = 5. */
function totalPages(html: string, text: string): number | null {
  const m =
    /共\s*(\d{1,4})\s*页/.exec(text) ??
    /\d+\s*\/\s*(\d{1,4})\s*页/.exec(text) ??
    /(?:totalPages?|pageCount|countPage|page_count)\s*[:=]\s*['"]?(\d{1,4})/i.exec(html);
  return m ? Number(m[1]) : null;
}

function genericPagination(ctx: Ctx, $: cheerio.CheerioAPI, html: string) {
  const pageText = $('body').text();
  const total = totalPages(html, pageText);
  $('a[href]').each((_, el) => {
    const a = $(el);
    const href = a.attr('href') ?? '';
    const text = a.text().replace(/\s+/g, '').trim();
    const url = resolve(href, ctx.base);
    if (!url) return;
    const pm = PAGE_PARAM.exec(url);
    const idx = /\/(index|list|default)_(\d+)\.s?html?$/i.exec(url);
    if (NEXT_WORDS.test(text) || /^(尾页|末页|末頁|last)$/i.test(text)) add(ctx, url, 'next-link', text, 'listing');
    else if (pm || idx) add(ctx, url, 'page-link', text, 'listing');
    if (total && total > 1) {
      if (pm)
        for (let i = 1; i <= Math.min(total, MAX_GENERATED_PAGES); i++) add(ctx, url.replace(PAGE_PARAM, `$1${i}`), 'page-total', undefined, 'listing');
      if (idx)
        for (let i = 1; i < Math.min(total, MAX_GENERATED_PAGES); i++)
          add(ctx, url.replace(/_(\d+)(\.s?html?)$/i, `_${i}$2`), 'page-total', undefined, 'listing');
    }
  });
}

/** Hanweb jpage: CDATA records, and POST paging through dataproxy.jsp. */
function hanweb(ctx: Ctx, html: string) {
  const records = [...html.matchAll(/<record>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/record>/gi)].map((m) => m[1]);
  for (const frag of records) {
    const $ = cheerio.load(frag);
    $('a[href]').each((_, el) => add(ctx, $(el).attr('href'), 'hanweb-record', $(el).attr('title') || $(el).text(), undefined, findDate(linkRowText($, el))));
  }
  if (!/dataproxy\.jsp/i.test(html)) return;
  // Column parameters: from <nextgroup>'s link, or from a jpage/param object literal.
  const params = new URLSearchParams();
  let proxy = '/module/web/jpage/dataproxy.jsp';
  const ng = /<nextgroup>\s*<!\[CDATA\[[\s\S]*?href=["']([^"']*dataproxy\.jsp[^"']*)["']/i.exec(html);
  if (ng) {
    const u = new URL(ng[1].replace(/&amp;/g, '&'), ctx.base);
    proxy = u.pathname;
    for (const [k, v] of u.searchParams) if (!/^(page|startrecord|endrecord|perpage)$/i.test(k)) params.set(k, v.replace(/^'|'$/g, ''));
  }
  const pm = /proxyUrl\s*:\s*['"]([^'"]+)['"]/i.exec(html);
  if (pm) proxy = pm[1];
  const obj = /(?:param|params|data)\s*[:=]\s*\{([^}]*columnid[^}]*)\}/i.exec(html);
  if (obj)
    for (const m of obj[1].matchAll(/['"]?(\w+)['"]?\s*:\s*['"]?([^,'"}]*)['"]?/g)) if (!params.has(m[1])) params.set(m[1], m[2].trim());
  if (!params.has('columnid')) return;
  if (!params.has('col')) params.set('col', '1');
  const total = Number(/totalRecord\s*[:=]\s*['"]?(\d+)/i.exec(html)?.[1] ?? 0);
  const perPage = Number(/perPage\s*[:=]\s*['"]?(\d+)/i.exec(html)?.[1] ?? 15) || 15;
  const group = Number(/groupSize\s*[:=]\s*['"]?(\d+)/i.exec(html)?.[1] ?? 3) || 3;
  if (!total) return;
  const step = perPage * group;
  const body = params.toString();
  for (let start = records.length + 1, n = 0; start <= total && n < MAX_GENERATED_PAGES; start += step, n++) {
    const end = Math.min(total, start + step - 1);
    const url = resolve(`${proxy}?startrecord=${start}&endrecord=${end}&perpage=${perPage}`, ctx.base);
    if (url) ctx.out.set(`POST ${url} ${body}`, { url, method: 'POST', body, kind: 'listing', via: 'hanweb-dataproxy' });
  }
}

/**
 * Every link worth following on a page: pagination, detail pages (from listings), attachments.
 * `pageKind` is what the page itself is; links outside the allowed hosts are filtered later by the crawler.
 */
export function discoverLinks(html: string, pageUrl: string, pageKind: LinkKind, patterns: SourcePatterns = EMPTY_PATTERNS): DiscoveredLink[] {
  const $ = cheerio.load(html);
  const baseHref = $('base[href]').attr('href');
  const base = (baseHref && resolve(baseHref, pageUrl)) || pageUrl;
  const ctx: Ctx = { base, pageKind, patterns, out: new Map() };
  if (pageKind === 'listing') {
    trsPagination(ctx, html);
    genericPagination(ctx, $, html);
  }
  hanweb(ctx, html);
  $('a[href], area[href]').each((_, el) => {
    const a = $(el);
    const href = a.attr('href') ?? '';
    const text = a.attr('title') || a.text();
    const date = findDate(linkRowText($, el));
    if (/^javascript:/i.test(href.trim())) for (const u of urlsInScript(href)) add(ctx, u, 'js-href', text, undefined, date);
    else add(ctx, href, 'a', text, undefined, date);
  });
  $('[onclick]').each((_, el) => {
    const e = $(el);
    for (const u of urlsInScript(e.attr('onclick') ?? '')) add(ctx, u, 'onclick', e.attr('title') || e.text());
  });
  $('iframe[src], frame[src], embed[src]').each((_, el) => {
    const src = $(el).attr('src');
    const url = src ? resolve(src, base) : null;
    if (!url) return;
    if (isAttachmentUrl(url, patterns) || viewerTarget(url)) add(ctx, src, 'embed');
    else add(ctx, src, 'iframe', undefined, pageKind === 'listing' ? 'listing' : 'detail');
  });
  $('object[data]').each((_, el) => add(ctx, $(el).attr('data'), 'object'));
  // Inline scripts that build download links (e.g. var fileUrl = "/upload/…pdf").
  $('script:not([src])').each((_, el) => {
    const code = $(el).html() ?? '';
    for (const m of code.matchAll(/['"]([^'"\s<>]+\.(?:pdf|docx?|xlsx?|wps|et|ofd))['"]/gi)) add(ctx, m[1], 'script', undefined, 'attachment');
  });
  return [...ctx.out.values()].filter((l) => l.url !== pageUrl || l.method === 'POST');
}

/**
 * Links of a fetched page, as the crawler follows them. A "detail" page without attachments that
 * lists at least two budget articles is a sub-column (部门预算 → 2026年 → 单位预算): its articles
 * and pagination are followed too (max_depth bounds how far this goes).
 */
export function discoverPageLinks(html: string, pageUrl: string, pageKind: LinkKind, patterns: SourcePatterns = EMPTY_PATTERNS): DiscoveredLink[] {
  const links = discoverLinks(html, pageUrl, pageKind, patterns);
  if (pageKind !== 'detail' || links.some((l) => l.kind === 'attachment')) return links;
  const asListing = discoverLinks(html, pageUrl, 'listing', patterns);
  const budgetArticles = asListing.filter((l) => l.kind === 'detail' && BUDGET_WORDS.test(l.anchor ?? ''));
  if (budgetArticles.length < 2) return links;
  const seen = new Set(links.map((l) => `${l.method} ${l.url} ${l.body ?? ''}`));
  const more = [...budgetArticles.map((l) => ({ ...l, via: `${l.via}+subcolumn` })), ...asListing.filter((l) => l.kind === 'listing')];
  return [...links, ...more.filter((l) => !seen.has(`${l.method} ${l.url} ${l.body ?? ''}`))];
}

/** The `<title>` (or first heading) of a page, for department hints and logs. */
export function pageTitle(html: string): string | null {
  const $ = cheerio.load(html);
  const t = ($('title').first().text() || $('h1').first().text()).replace(/\s+/g, ' ').trim();
  return t || null;
}
