/**
 * From an entry page to the budget columns. On a site's front page, a 政府信息公开 index or a
 * department site, the links whose text or path names a budget column (vocabulary.ts: 部门预算,
 * 预决算公开, czys, yjsgk …) are crawled as listings; links to hubs (政府信息公开, xxgk …) are
 * followed near the entry page to find more. Each choice carries its reason, which the crawler
 * logs and keeps in the fetch record (column_reason). A source can pin URLs as columns, exclude
 * others, or turn discovery off (config `columns:`).
 */
import * as cheerio from 'cheerio';
import { ARTICLE_URL, isAttachmentUrl, type DiscoveredLink } from './discover.ts';
import { COLUMN_PATHS, COLUMN_TEXTS, HUB_PATHS, HUB_TEXTS, MAX_COLUMN_TEXT, NOT_COLUMN_TEXTS } from './vocabulary.ts';

export interface ColumnRules {
  /** Find columns by the vocabulary (false: only pinned ones). */
  discover: boolean;
  /** URLs (regexes) that are budget columns whatever their text. */
  pin: RegExp[];
  /** URLs (regexes) never taken for columns or hubs. */
  exclude: RegExp[];
  /** Pages deeper than this (links from the start URL) are not searched for columns. */
  maxDepth: number;
}

export const DEFAULT_COLUMN_RULES: ColumnRules = { discover: true, pin: [], exclude: [], maxDepth: 3 };

export interface ColumnLink {
  url: string;
  /** The column's name: the link text, or the heading of the block a 更多 link closes. */
  anchor: string;
  role: 'column' | 'hub';
  /** Why: `text "部门预算" ~ 部门预算`, `path /czys/ ~ czys`, `pinned /czys/`. */
  reason: string;
}

const YEAR = /(19|20)\d{2}/;

/** Path segments, an index-like file name (index.html, nav_list.shtml, list_2.html) left out: /szxfj/ysgk/nav_list.shtml → szxfj, ysgk. */
function segments(u: URL): string[] {
  const segs = u.pathname
    .toLowerCase()
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/\.(s?html?|jsp|aspx?|php)$/, '').replace(/[_-]?\d+$/, ''));
  if (segs.length && /index|list|default|more|nav|^$/.test(segs[segs.length - 1])) segs.pop();
  return segs;
}

/** Article pages by their URL: CMS article shapes, dated folders (/doc/2025/11/04/…), numeric file names. */
const ARTICLE_PATH = /\/(19|20)\d{2}[/-]?\d{2}[/-]?\d{2}\/|\/\d{5,}\.s?html?$/;

/** The name a link stands for: its text, or for 更多 / more / >> the heading of its block. */
function linkName($: cheerio.CheerioAPI, el: Parameters<cheerio.CheerioAPI>[0]): string {
  const a = $(el as never);
  const own = (a.attr('title') || a.text()).replace(/\s+/g, '');
  if (!/^(更多|更多>+|more>*|查看更多|>>|»)$/i.test(own)) return own;
  let p = a.parent();
  for (let i = 0; i < 3 && p.length; i++, p = p.parent()) {
    const head = p.find('h1, h2, h3, h4, h5, .title, .tit, [class*=title], [class*=tit]').first().text().replace(/\s+/g, '');
    if (head && head.length <= MAX_COLUMN_TEXT) return head;
    const rest = p.clone().children('a').remove().end().text().replace(/\s+/g, '');
    if (rest && rest.length <= MAX_COLUMN_TEXT) return rest;
  }
  return own;
}

/** Classify one link: a budget column, a hub towards columns, or neither (null). */
export function classifyColumnLink(url: string, name: string, rules: ColumnRules, allowHubs: boolean): Omit<ColumnLink, 'url' | 'anchor'> | null {
  if (rules.exclude.some((r) => r.test(url))) return null;
  const pin = rules.pin.find((r) => r.test(url));
  if (pin) return { role: 'column', reason: `pinned by /${pin.source}/` };
  if (!rules.discover) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (isAttachmentUrl(url) || ARTICLE_URL.test(url) || ARTICLE_PATH.test(u.pathname)) return null;
  if (NOT_COLUMN_TEXTS.some((w) => name.includes(w))) return null;
  // Pagination (2, 下一页 …) names a page of a listing, never a column.
  if (/^\d+$|^(下一页|上一页|下页|上页|首页|尾页|末页|后页|前页)$/.test(name)) return null;
  const segs = segments(u);
  const short = name.length > 0 && name.length <= MAX_COLUMN_TEXT;
  // A year in a longer text is an article title (市教育局2026年部门预算), unless the path says column.
  const titleLike = YEAR.test(name) && name.replace(YEAR, '').replace(/年|度/g, '').length > 6;
  // A column's own path ends in its term (…/bmys/ or …/bmys/2026n/); a hub's ends in the hub's.
  const pathTerm = COLUMN_PATHS.find((p) => segs.slice(-2).includes(p));
  const textTerm = short && !titleLike ? COLUMN_TEXTS.find((t) => name.includes(t)) : undefined;
  if (textTerm && pathTerm) return { role: 'column', reason: `text "${name}" ~ ${textTerm}, path ~ ${pathTerm}` };
  if (textTerm) return { role: 'column', reason: `text "${name}" ~ ${textTerm}` };
  if (pathTerm && (short || !name) && !titleLike) return { role: 'column', reason: `path ${u.pathname} ~ ${pathTerm}` };
  if (!allowHubs) return null;
  const hubText = short ? HUB_TEXTS.find((t) => name.includes(t)) : undefined;
  const hubPath = HUB_PATHS.find((p) => segs[segs.length - 1] === p);
  if (hubText) return { role: 'hub', reason: `text "${name}" ~ ${hubText}` };
  if (hubPath && short && !titleLike) return { role: 'hub', reason: `path ${u.pathname} ~ ${hubPath}` };
  return null;
}

/** Every budget column (and, when allowed, hub) linked from a page. */
export function findColumns(html: string, pageUrl: string, rules: ColumnRules, allowHubs: boolean): ColumnLink[] {
  const $ = cheerio.load(html);
  const baseHref = $('base[href]').attr('href');
  let base = pageUrl;
  try {
    if (baseHref) base = new URL(baseHref, pageUrl).toString();
  } catch {
    /* keep the page URL */
  }
  const out = new Map<string, ColumnLink>();
  $('a[href], area[href], option[value]').each((_, el) => {
    const href = ($(el).attr('href') ?? $(el).attr('value') ?? '').trim();
    if (!href || /^(javascript:|mailto:|tel:|#)/i.test(href)) return;
    let url: string;
    try {
      const u = new URL(href, base);
      if (!/^https?:$/.test(u.protocol)) return;
      u.hash = '';
      url = u.toString();
    } catch {
      return;
    }
    if (url === pageUrl || out.has(url)) return;
    const name = linkName($, el);
    const c = classifyColumnLink(url, name, rules, allowHubs);
    if (c) out.set(url, { url, anchor: name, ...c });
  });
  // A column beats a hub; the page's own columns first.
  return [...out.values()].sort((a, b) => (a.role === b.role ? 0 : a.role === 'column' ? -1 : 1));
}

const canonical = (url: string) => url.replace(/\/(index|default)\.(s?html?|jsp|aspx?|php)$/i, '/');

/**
 * Merge the columns into a page's discovered links: a column or hub is crawled as a listing
 * (replacing its classification as an article), but pagination stays pagination and a link
 * back to the page itself is dropped.
 */
export function withColumns(links: DiscoveredLink[], cols: ColumnLink[], pageUrl: string): DiscoveredLink[] {
  const key = (l: { method: string; url: string; body?: string }) => `${l.method} ${l.url} ${l.body ?? ''}`;
  const out = new Map(links.map((l) => [key(l), l]));
  const self = canonical(pageUrl);
  const dir = (u: string) => new URL(u).pathname.replace(/[^/]*$/, '');
  for (const c of cols) {
    const k = key({ method: 'GET', url: c.url });
    const prev = out.get(k);
    if (prev?.kind === 'attachment') continue;
    // This listing's own pages (same folder: index_1.html, list.php?p=2) stay its pagination.
    if (prev?.kind === 'listing' && dir(c.url) === dir(pageUrl)) continue;
    if (canonical(c.url) === self) continue;
    out.set(k, { url: c.url, method: 'GET', kind: 'listing', anchor: c.anchor, via: `${c.role}: ${c.reason}` });
  }
  return [...out.values()];
}
