/**
 * What a page said about the files it leads to: the column (栏目) a listing belongs to, the title
 * of an article, and the publication date printed beside a link or on the article. The crawler
 * carries this context from a listing to its articles and from an article to its attachments
 * (CrawlRequest.context), and writes it into each fetch record (column_name, article_title,
 * published_at) — the transform reads it as DocumentHints.
 */
import * as cheerio from 'cheerio';

export interface PageContext {
  /** Name of the listing column (部门预算, 预决算公开 …). */
  column?: string | null;
  /** Title of the article page the link was found on. */
  articleTitle?: string | null;
  /** Publication date, ISO yyyy-mm-dd. */
  publishedAt?: string | null;
}

const DATE = /(20\d{2}|19\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?/;

/** The first date in a text, as yyyy-mm-dd (null when none or not a real date). */
export function findDate(text: string | null | undefined): string | null {
  if (!text) return null;
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A date printed on an article page: 发布时间 / 发布日期 / 时间 / 日期 : 2026-02-12. */
export function publishedOnPage($: cheerio.CheerioAPI): string | null {
  const text = $('body').text().replace(/\s+/g, ' ');
  const m = /(?:发布时间|发布日期|发文日期|成文日期|公开日期|信息时间|更新时间|时间|日期)\s*[:：]?\s*((?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})/.exec(text);
  if (m) return findDate(m[1]);
  for (const sel of ['meta[name="PubDate"]', 'meta[name="pubdate"]', 'meta[name="publishdate"]', 'meta[name="firstpublishedtime"]']) {
    const d = findDate($(sel).attr('content'));
    if (d) return d;
  }
  return null;
}

const BREADCRUMB = /(?:当前位置|您的位置|你的位置|所在位置|当前的位置)\s*[:：]?\s*(.+)/;
const SEPARATORS = /\s*(?:>>|>|»|›|→|\/|＞|-{1,2}|_)\s*/;
const TITLE_SEPARATORS = /\s*(?:[-_|｜—–]+)\s*/;
const BUDGET = /预算|决算|预决算|三公|绩效|财政/;

/** The column a listing page belongs to: the last crumb of its breadcrumb, else the budget-ish part of its title. */
export function columnName($: cheerio.CheerioAPI): string | null {
  let crumb: string | null = null;
  $('body *').each((_, el) => {
    if (crumb) return false;
    const e = $(el);
    if (e.children().length > 12) return;
    const t = e.text().replace(/\s+/g, ' ').trim();
    if (t.length > 160) return;
    const m = BREADCRUMB.exec(t);
    if (m) {
      const parts = m[1].split(SEPARATORS).map((s) => s.trim()).filter((s) => s && s.length <= 30);
      if (parts.length) crumb = parts[parts.length - 1];
    }
    return;
  });
  if (crumb) return crumb;
  const title = $('title').first().text().replace(/\s+/g, ' ').trim();
  if (!title) return null;
  const parts = title.split(TITLE_SEPARATORS).filter(Boolean);
  return parts.find((p) => BUDGET.test(p)) ?? parts[0] ?? null;
}

/** Link texts that are navigation, not a name: pagination, 更多, numbers. */
export const isNavText = (t: string | null | undefined) => !t || /^(\d+|下一页|下页|上一页|上页|首页|尾页|末页|更多|more|>+|<+|»|›|next|prev)$/i.test(t.replace(/\s+/g, ''));

/**
 * The text of the row / item a link sits in (li, tr, dd, p): where a listing prints the date
 * beside the title. Bounded so a whole list is never taken for one item.
 */
export function linkRowText($: cheerio.CheerioAPI, el: Parameters<cheerio.CheerioAPI>[0]): string {
  const row = $(el as never).closest('li, tr, dd, dt, p, h3, h4');
  const t = (row.length ? row : $(el as never).parent()).text().replace(/\s+/g, ' ').trim();
  return t.length <= 300 ? t : '';
}

/** The context of a fetched page: inherited from the link that led here, completed from the page itself. */
export function pageContext(req: { kind: string; anchor?: string; context?: PageContext }, html: string): PageContext {
  const c = req.context ?? {};
  if (req.kind === 'listing') {
    if (c.column) return { column: c.column };
    const $ = cheerio.load(html);
    return { column: columnName($) ?? (isNavText(req.anchor) ? null : req.anchor!.trim()) };
  }
  if (req.kind === 'detail') {
    const $ = cheerio.load(html);
    const own = ($('h1').first().text() || $('title').first().text()).replace(/\s+/g, ' ').trim() || null;
    return {
      column: c.column ?? null,
      articleTitle: (!isNavText(req.anchor) ? req.anchor!.replace(/\s+/g, ' ').trim() : null) ?? own,
      publishedAt: c.publishedAt ?? publishedOnPage($),
    };
  }
  return c;
}

/** What a link found on a page inherits: the column always; the article title and date when it leads to a file. */
export function childContext(here: PageContext, pageKind: string, link: { kind: string; date?: string }): PageContext {
  if (link.kind === 'listing') return { column: here.column ?? null };
  if (link.kind === 'detail') return { column: here.column ?? null, publishedAt: link.date ?? null };
  return {
    column: here.column ?? null,
    articleTitle: pageKind === 'detail' ? (here.articleTitle ?? null) : null,
    publishedAt: link.date ?? here.publishedAt ?? null,
  };
}
