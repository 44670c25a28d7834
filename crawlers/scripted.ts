/**
 * Listings that only exist after JavaScript ran, detected without a flag. A listing page that
 * yields no article or attachment link but carries scripts is either
 *
 *  - fed by a data endpoint its script names (fetch / $.ajax / $.get / $.getJSON / $.post /
 *    axios / XMLHttpRequest.open, with the URL built from string literals and the page's own
 *    variables; Hanweb jpaas `unitbuild.js` tags with `url` + `queryData` attributes): the crawler
 *    requests that endpoint like any listing (same politeness) and reads the records of the JSON
 *    it returns (linksFromJson), paging by the total / pageCount it reports; or
 *  - built in the DOM by script with no endpoint we can name (innerHTML, document.write,
 *    .append …): the crawler renders it in Chromium (crawlers/browser.ts).
 */
import * as cheerio from 'cheerio';
import { isAttachmentUrl, type DiscoveredLink } from './discover.ts';
import { findDate } from './context.ts';

export interface ScriptEndpoint {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  via: string;
}

const PAGE_VAR = /^(page|pageNo|pageNum|pageIndex|currentPage|curPage|p|pn|pageindex|page_no)$/i;

/** Evaluate a string expression made of literals, the page's variables and a page parameter ('a' + channel + '&page=' + page). */
function evalConcat(expr: string, code: string): string | null {
  const parts = expr.split('+').map((p) => p.trim());
  let out = '';
  for (const p of parts) {
    const lit = /^(['"`])([^'"`]*)\1$/.exec(p);
    if (lit) {
      out += lit[2];
      continue;
    }
    if (/^\d+$/.test(p)) {
      out += p;
      continue;
    }
    if (/^\(?\s*[\w$.]+\s*[+-]\s*\d+\s*\)?$/.test(p) || PAGE_VAR.test(p)) {
      out += PAGE_VAR.test(p.replace(/[()\s]|[+-]\s*\d+/g, '')) ? '1' : '';
      continue;
    }
    if (/^[A-Za-z_$][\w$]*$/.test(p)) {
      const m = new RegExp(`\\b${p.replace(/\$/g, '\\$')}\\s*=\\s*(['"])([^'"]*)\\1`).exec(code) ?? new RegExp(`\\b${p.replace(/\$/g, '\\$')}\\s*=\\s*(\\d+)\\b`).exec(code);
      if (!m) return null;
      out += m[2] ?? m[1];
      continue;
    }
    return null;
  }
  return out || null;
}

/** Data endpoints named by a page's scripts, resolved against the page URL. */
export function scriptEndpoints(html: string, pageUrl: string): ScriptEndpoint[] {
  const $ = cheerio.load(html);
  const out = new Map<string, ScriptEndpoint>();
  const push = (raw: string | null, method: 'GET' | 'POST', via: string, body?: string) => {
    if (!raw || /\.(js|css|png|jpe?g|gif|svg|woff2?)(\?|$)/i.test(raw)) return;
    try {
      const u = new URL(raw, pageUrl);
      if (!/^https?:$/.test(u.protocol)) return;
      u.hash = '';
      out.set(`${method} ${u} ${body ?? ''}`, { url: u.toString(), method, body, via });
    } catch {
      /* not a URL */
    }
  };
  const code = $('script:not([src])')
    .map((_, el) => $(el).html() ?? '')
    .get()
    .join('\n');
  // fetch(url …), axios.get(url), $.get / $.getJSON / $.post(url …)
  for (const m of code.matchAll(/(?:^|[^\w$.])(fetch|axios\.(?:get|post)|(?:\$|jQuery)\.(?:getJSON|get|post))\s*\(\s*([^,)]+)/g))
    push(evalConcat(m[2], code), /post/i.test(m[1]) ? 'POST' : 'GET', m[1]);
  // $.ajax({ url: …, type: 'post' })
  for (const m of code.matchAll(/\.ajax\s*\(\s*\{([\s\S]{0,600}?)\}\s*\)/g)) {
    const u = /\burl\s*:\s*([^,\n}]+)/.exec(m[1]);
    if (!u) continue;
    const post = /\b(type|method)\s*:\s*['"]post['"]/i.test(m[1]);
    push(evalConcat(u[1], code), post ? 'POST' : 'GET', '$.ajax');
  }
  // xhr.open('GET', url)
  for (const m of code.matchAll(/\.open\s*\(\s*['"](GET|POST)['"]\s*,\s*([^,)]+)/gi)) push(evalConcat(m[2], code), m[1].toUpperCase() === 'POST' ? 'POST' : 'GET', 'xhr');
  // Hanweb jpaas: <script src=".../unitbuild.js" url="/api-gateway/…/build/unit" queryData="{'webId':'15',…}">
  $('script[src*="unitbuild"][url]').each((_, el) => {
    const s = $(el);
    let q: Record<string, unknown> = {};
    try {
      q = JSON.parse((s.attr('querydata') ?? s.attr('queryData') ?? '{}').replace(/'/g, '"'));
    } catch {
      /* keep no parameters */
    }
    const params = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
    push(`${s.attr('url')}?${params}`, 'GET', 'hanweb-unitbuild');
  });
  return [...out.values()];
}

/** Inline script that writes the DOM (the listing is built in the browser). */
export const buildsDom = (html: string) => /innerHTML\s*[+]?=|document\.write\s*\(|\.append(Child)?\s*\(|\.html\s*\(\s*[^)\s]|insertAdjacentHTML|\bnew\s+Vue\b|createApp\s*\(|ReactDOM|v-for=/.test(html);

/** A listing whose links came only from navigation: no article, no attachment, no pagination of its own. */
export function looksScripted(html: string, links: DiscoveredLink[]): boolean {
  if (links.some((l) => l.kind === 'detail' || l.kind === 'attachment' || l.method === 'POST' || /^(trs|page|next|hanweb|column|hub)/.test(l.via))) return false;
  return /<script/i.test(html);
}

const URL_KEY = /^(url|link|href|path|src|file|fileUrl|filePath|docUrl|detailUrl|linkUrl|pageUrl|visitUrl|articleUrl|downloadUrl|attachUrl|address)$/i;
const TITLE_KEY = /^(title|name|text|subject|docTitle|articleTitle|fileName|filename|标题|名称|biaoti)$/i;
const DATE_KEY = /date|time|pub|fbsj|发布/i;
const looksUrl = (v: string) => /^(https?:\/\/|\/|\.\.?\/)[^\s<>"]*$/.test(v) || /^[\w./-]+\.(s?html?|jsp|php|aspx?|pdf|docx?|xlsx?|wps|ofd|zip|rar)(\?\S*)?$/i.test(v);

/** Records of a JSON list API: objects with a URL and a title (and a date); pages from total / pageCount. */
export function linksFromJson(text: string, endpointUrl: string, pageUrl: string = endpointUrl): DiscoveredLink[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, '').replace(/^[\w$.]+\(([\s\S]*)\)\s*;?\s*$/, '$1'));
  } catch {
    return [];
  }
  const out = new Map<string, DiscoveredLink>();
  let total: number | null = null;
  let size: number | null = null;
  let pages: number | null = null;
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || v == null) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    let url: string | null = null;
    let title: string | null = null;
    let date: string | null = null;
    for (const [k, x] of Object.entries(o)) {
      if (typeof x === 'string') {
        if (!url && URL_KEY.test(k) && looksUrl(x.trim())) url = x.trim();
        else if (!title && TITLE_KEY.test(k)) title = x.replace(/<[^>]+>/g, '').trim();
        else if (!date && DATE_KEY.test(k)) date = findDate(x);
        else if (/<a\s[^>]*href/i.test(x)) for (const m of x.matchAll(/<a\s[^>]*href=["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi)) addLink(m[1], m[2].replace(/<[^>]+>/g, '').trim(), findDate(x));
      } else if (typeof x === 'number') {
        if (/^(total|totalCount|totalRecord|totalRecords|recordCount|records|count|totalElements|totalNum)$/i.test(k)) total ??= x;
        else if (/^(pageSize|size|perPage|perpage|rows|limit|pageCount)$/i.test(k) && !/count/i.test(k)) size ??= x;
        if (/^(pageCount|totalPage|totalPages|pages|pageTotal)$/i.test(k)) pages ??= x;
      } else walk(x, depth + 1);
    }
    if (url) addLink(url, title ?? '', date);
  };
  const addLink = (raw: string, title: string, date: string | null) => {
    let u: URL;
    try {
      u = new URL(raw, pageUrl);
    } catch {
      return;
    }
    if (!/^https?:$/.test(u.protocol)) return;
    u.hash = '';
    const url = u.toString();
    if (!out.has(url)) out.set(url, { url, method: 'GET', kind: isAttachmentUrl(url) ? 'attachment' : 'detail', anchor: title || undefined, via: 'json', ...(date ? { date } : {}) });
  };
  walk(data, 0);
  // Paging: ?page=N (or pageNo, pageIndex, p, …) up to the page count the API reports.
  const n = pages ?? (total && size ? Math.ceil(total / size) : null);
  const pm = /([?&](?:page|pageNo|pageNum|pageIndex|currentPage|curPage|p|pn)=)(\d+)/i.exec(endpointUrl);
  if (n && n > 1 && pm)
    for (let i = 1; i <= Math.min(n, 500); i++) {
      const url = endpointUrl.replace(pm[0], `${pm[1]}${i}`);
      if (url !== endpointUrl) out.set(`page ${url}`, { url, method: 'GET', kind: 'listing', via: 'json-page' });
    }
  return [...out.values()];
}
