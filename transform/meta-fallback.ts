/**
 * Where the document is silent about its year, department, region or kind: the file name, then
 * what the crawl saw on the way to it (link text, article title, column, publication date), then
 * the source's config. Each field records which of these it came from (`MetaSource`), so an
 * analyst can tell a printed year from a guessed one.
 */
import type { DocKind, DocumentHints, MetaSource } from './types.ts';

/** What one source says about the document; null where it says nothing. */
export interface MetaGuess {
  year: number | null;
  department: string | null;
  region: string | null;
  kind: DocKind | null;
}

export type MetaField = keyof MetaGuess;

const ORG_SUFFIX =
  '(?:委员会|管理委员会|办公室|办公厅|管理局|监督管理局|分局|局|委|办|厅|院|中心|研究所|所|站|队|支队|大队|协会|联合会|部|馆|处|室|政府|公司|学校|医院|大学|学院|总队|署|会)';
/** An organisation name ending where the name ends: before a year, a separator, 部门/单位/预算 … or the end. */
const ORG_IN_NAME = new RegExp(`[\\u4e00-\\u9fff（）()、·]{2,40}?${ORG_SUFFIX}(?=$|[\\d_\\-\\s：:.（(]|年|部门|单位|本级|汇总|预算|决算|整体|项目|绩效|关于)`, 'g');

export const REGION_RE =
  /^((?:[\u4e00-\u9fff]{2,7}?(?:省|自治区))?(?:[\u4e00-\u9fff]{1,8}?(?:市(?!场|级|直|容|属|区划|政(?!务|府|协|法)|民(?!政|族|宗|防|委))|自治州|地区|盟))?(?:[\u4e00-\u9fff]{1,12}?(?:新区|开发区|高新区|试验区|示范区|园区|区(?!域|划|级|间)|县|旗))?)/;

/** Region prefix of an organisation name: 承德高新技术产业开发区, 西安市, 曹妃甸区. */
export function regionOf(department: string | null): string | null {
  if (!department) return null;
  const m = department.replace(/^中共/, '').match(REGION_RE);
  const r = m?.[1] ?? '';
  return r.length >= 2 && r.length < department.length ? r : null;
}

/**
 * A region printed at the head of a title line, before its year or level: `上海市2026年市级单位预算`,
 * `广州市本级`, `2026年佛山市部门预算` (a year may come first).
 */
export function leadingRegion(text: string): string | null {
  const t = text.replace(/\s+/g, '').replace(/^20\d{2}年度?/, '');
  const m = t.match(REGION_RE);
  const r = m?.[1] ?? '';
  if (r.length < 2) return null;
  return /^(?:20\d{2}年|本级|市级|区级|县级|部门|单位|预算|决算)/.test(t.slice(r.length)) ? r : null;
}

/**
 * The fiscal year a name or title speaks of: a year written next to 预算 / 决算 wins
 * (`2026年长沙市公安局2025年部门预算` is about 2025), then the first `20xx年`, then a bare
 * `20xx` standing alone in a file name (`2026_教育局.pdf`).
 */
export function yearIn(text: string): number | null {
  const t = text.replace(/\s+/g, '');
  const near = t.match(/(20\d{2})年度?(?:部门|单位)?(?:综合|整体)?(?:预算|决算)/);
  const any = near ?? t.match(/(20\d{2})年/) ?? t.match(/(?<!\d)(20[1-4]\d)(?!\d)/);
  return any ? Number(any[1]) : null;
}

export function kindIn(text: string): DocKind | null {
  const t = text.replace(/\s+/g, '');
  if (/决算/.test(t) && !/预算/.test(t)) return '决算';
  if (/预算|绩效目标/.test(t)) return '预算';
  return null;
}

/** The most specific organisation a name or title mentions: one with its region, else the first. */
export function departmentIn(text: string): string | null {
  const t = text
    .replace(/\s+/g, '')
    .replace(/(?:\.[a-z0-9]{2,5})+$/gi, '')
    .replace(/20\d{2}年度?/g, '_');
  const orgs = [...t.matchAll(ORG_IN_NAME)]
    .map((m) => m[0].replace(/^(?:附件[\d一二三四五六七八九十]*|[:：_])+/, ''))
    .filter((o) => o.length >= 3 && !/^(?:部门|单位|本部门|本单位|我局|市级|区级|关于)/.test(o));
  return orgs.find((o) => regionOf(o)) ?? orgs[0] ?? null;
}

/** Everything one piece of text (file name, link text, title, column) says. */
export function guessFromText(text: string | null | undefined): MetaGuess | null {
  if (!text?.trim()) return null;
  const department = departmentIn(text);
  return {
    year: yearIn(text),
    department,
    region: regionOf(department) ?? leadingRegion(text),
    kind: kindIn(text),
  };
}

/** Base name of a path or URL, without query and fragment. */
export function baseName(p: string): string {
  const noQuery = p.replace(/[?#].*$/, '');
  let name = noQuery.split(/[\\/]/).pop() ?? noQuery;
  try {
    name = decodeURIComponent(name);
  } catch {
    /* keep as is */
  }
  return name;
}

/**
 * The fallbacks in the order they are tried, most specific to the document first. A publication
 * date says little: a 预算 is published in its own year, a 决算 the year after; it comes last
 * but for the config, which is the operator's word for the whole source.
 */
export function hintGuesses(h: DocumentHints, kind: DocKind | null): { source: MetaSource; guess: MetaGuess }[] {
  const out: { source: MetaSource; guess: MetaGuess }[] = [];
  const add = (source: MetaSource, g: MetaGuess | null) => {
    if (g) out.push({ source, guess: g });
  };
  add('filename', guessFromText(h.filename ? baseName(h.filename) : null));
  add('link_text', guessFromText(h.linkText));
  add('article_title', guessFromText(h.articleTitle));
  add('column', guessFromText(h.column));
  add('config', { year: h.year ?? null, department: h.department ?? null, region: h.region ?? regionOf(h.department ?? null), kind: h.kind ?? null });
  const pub = h.publishedAt?.match(/^(20\d{2})-/);
  if (pub) add('published_at', { year: Number(pub[1]) - (kind === '决算' ? 1 : 0), department: null, region: null, kind: null });
  return out;
}

export interface SourcedMeta extends MetaGuess {
  sources: Record<MetaField, MetaSource | null>;
}

/**
 * Fill what the document left empty from the hints, field by field, recording the source. The
 * region follows the department when the department came from a hint (its name says where it is).
 */
export function fillFromHints(doc: MetaGuess, hints: DocumentHints): SourcedMeta {
  const out: SourcedMeta = { ...doc, sources: { year: null, department: null, region: null, kind: null } };
  for (const f of ['year', 'department', 'region', 'kind'] as const) if (doc[f] != null) out.sources[f] = 'document';
  const guesses = () => hintGuesses(hints, out.kind);
  for (const f of ['kind', 'department', 'region', 'year'] as const) {
    if (out[f] != null) continue;
    for (const { source, guess } of guesses()) {
      if (guess[f] == null) continue;
      (out as unknown as Record<string, unknown>)[f] = guess[f];
      out.sources[f] = source;
      break;
    }
    if (f === 'department' && out.department && out.sources.department !== 'document' && out.region == null) {
      const r = regionOf(out.department);
      if (r) {
        out.region = r;
        out.sources.region = out.sources.department;
      }
    }
  }
  return out;
}
