/**
 * Department, code, region, fiscal year and kind (预算 / 决算) from the document's own text.
 * File names and link texts are often wrong; only where the text says nothing does a field fall
 * back to the file name and the crawler's hints (meta-fallback.ts), with its source recorded.
 */
import type { Block } from '../extract/types.ts';
import type { DocKind, DocumentHints, DocumentMeta } from './types.ts';
import { fillFromHints, leadingRegion, regionOf } from './meta-fallback.ts';
import { joinLines } from './text.ts';

export { regionOf } from './meta-fallback.ts';

const ORG_SUFFIX =
  '(?:委员会|管理委员会|办公室|办公厅|管理局|监督管理局|分局|局|委|办|厅|院|中心|研究所|所|站|队|支队|大队|协会|联合会|部|馆|处|室|政府|公司|学校|医院|大学|学院|总队|署|会)';
const ORG = `[\\u4e00-\\u9fff（）()、·]{2,40}?${ORG_SUFFIX}(?:[（(](?:本级|汇总|机关|本部)[)）])?`;

/** `930006曹妃甸区市场监督管理局第六分局`, `111 承德高新…管理局   单位：万元` */
const CODE_AND_ORG = new RegExp(`^\\s*(\\d{3,12})\\s*(${ORG}(?:第[一二三四五六七八九十\\d]+分局)?)\\s*(?:单位[:：].*|金额单位.*)?$`);
const LABELLED_ORG = new RegExp(`(?:部门名称|单位名称|预算单位|预算部门|编制单位|填报单位|主管部门)[:：]\\s*(?:\\d{3,12}\\s*)?(${ORG})`);
const TITLE_ORG = new RegExp(`^(?:20\\d{2}\\s*年度?\\s*)?(${ORG})\\s*(?:部门|单位)?\\s*(?:20\\d{2}\\s*年度?)?\\s*(?:部门|单位)?(?:综合)?(?:预算|决算)`);
const STANDALONE_ORG = new RegExp(`^(${ORG})(?:编制)?$`);

/**
 * Remove what a broken title line leaves around a name: a leading `年` / `年度` from `2026 年…`,
 * a trailing `部` from `…局部门预算`, and the （本级）/（汇总）qualifiers.
 */
export function cleanDepartment(name: string): string {
  return name
    .replace(/\s+/g, '')
    .replace(/^(?:20\d{2})?年度?/, '')
    .replace(/[（(](?:本级|汇总|机关|本部)[)）]/g, '')
    .replace(/(局|委员会|办公室|办公厅|厅|院|中心|委|办)部$/, '$1');
}

function lines(blocks: Block[], maxBlocks: number): { text: string; fromTable: boolean }[] {
  const out: { text: string; fromTable: boolean }[] = [];
  for (const b of blocks.slice(0, maxBlocks)) {
    if (b.type === 'text') for (const l of b.text.split('\n')) out.push({ text: l.trim(), fromTable: false });
    else
      for (const r of b.rows.slice(0, 6))
        for (const c of r.cells) {
          const t = joinLines(c.text);
          if (t) out.push({ text: t, fromTable: true });
        }
  }
  return out.filter((l) => l.text);
}

function mostCommon<T>(xs: T[]): T | null {
  const counts = new Map<T, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: T | null = null;
  let n = 0;
  for (const [x, c] of counts) if (c > n) [best, n] = [x, c];
  return best;
}

export function detectMeta(
  blocks: Block[],
  hints: DocumentHints = {},
): DocumentMeta {
  const early = lines(blocks, 40);
  const all = lines(blocks, blocks.length);

  // Department and its code.
  const coded: { code: string; org: string }[] = [];
  for (const l of all) {
    const m = l.text.match(CODE_AND_ORG);
    if (m) coded.push({ code: m[1], org: m[2] });
  }
  let department: string | null = null;
  let dept_code: string | null = null;
  let titleFromOrg: string | null = null;
  if (coded.length) {
    const best = mostCommon(coded.map((c) => `${c.code}\t${c.org}`))!;
    [dept_code, department] = best.split('\t');
  }
  if (!department) {
    const labelled = all.map((l) => l.text.match(LABELLED_ORG)?.[1]).filter((x): x is string => !!x);
    // The same label as a table cell, with the name in the next cell: | 部门名称 | 北京市公安局 |
    for (const b of blocks) {
      if (b.type !== 'table') continue;
      for (const r of b.rows.slice(0, 6)) {
        const texts = r.cells.map((c) => joinLines(c.text).replace(/\s+/g, ''));
        texts.forEach((t, i) => {
          if (!/^(?:部门名称|单位名称|预算单位|预算部门|主管部门|部门\(单位\)名称|部门（单位）名称)[:：]?$/.test(t)) return;
          const v = texts.slice(i + 1).find(Boolean);
          if (v && new RegExp(`^${ORG}$`).test(v)) labelled.push(v);
        });
      }
    }
    department = mostCommon(labelled);
  }
  if (!department) {
    // Title lines are often broken in two (`2026年烟台市人力资源和社会保` / `障局部门预算`): try pairs too.
    const texts = early.filter((l) => !l.fromTable).slice(0, 30).map((l) => l.text.replace(/\s+/g, ''));
    const candidates = texts.flatMap((t, i) => [t, ...(i + 1 < texts.length ? [t + texts[i + 1]] : [])]);
    for (const t of candidates) {
      const titled = t.match(TITLE_ORG);
      const m = titled ?? t.match(STANDALONE_ORG);
      if (m && !/^(?:部门|单位|本部门|我局|本单位)/.test(m[1])) {
        department = m[1];
        if (titled) titleFromOrg = t;
        break;
      }
    }
  }
  department = department ? cleanDepartment(department) : null;

  // Fiscal year: a declared 预算年度 wins, then a title line, then the first year mentioned early.
  let year: number | null = null;
  for (const l of all) {
    const m = l.text.match(/(?:预算年度|年度)[:：]\s*(20\d{2})/);
    if (m) {
      year = Number(m[1]);
      break;
    }
  }
  const titleLine = early
    .slice(0, 40)
    .map((l) => l.text.replace(/\s+/g, ''))
    .find((t) => /(20\d{2})年度?.{0,40}(?:预算|决算|绩效)/.test(t) && t.length < 80);
  if (!year && titleLine) year = Number(titleLine.match(/(20\d{2})年/)![1]);
  if (!year) {
    const m = early
      .slice(0, 15)
      .map((l) => l.text.match(/(20\d{2})\s*年/))
      .find(Boolean);
    if (m) year = Number(m[1]);
  }
  // Budget-table PDFs (预算01表 …) have no cover; a table's subtitle may still carry the year: （2026年度）.
  if (!year) {
    const m = all
      .filter((l) => !l.fromTable)
      .map((l) => l.text.replace(/\s+/g, '').match(/^(?:[（(](20\d{2})年度?[)）]|(20\d{2})年度)$/))
      .find(Boolean);
    if (m) year = Number(m[1] ?? m[2]);
  }

  // Kind: 决算 when a title says so; 预算 when a title says that.
  const heads = early.slice(0, 25).map((l) => l.text.replace(/\s+/g, ''));
  let kind: DocKind | null = null;
  if (heads.some((t) => /决算/.test(t) && t.length < 80 && !/预算.*决算|决算.*预算/.test(t))) kind = '决算';
  else if (heads.some((t) => /预算|绩效目标/.test(t))) kind = '预算';

  const title =
    titleFromOrg ??
    early.find((l) => !l.fromTable && /预算|决算|绩效/.test(l.text) && l.text.length < 80 && !/^目\s*录$/.test(l.text))?.text ??
    early.find((l) => !l.fromTable && l.text.length > 3)?.text ??
    null;

  // Region: the department's own name first; else a region heading a title line (上海市2026年市级单位预算).
  const region = regionOf(department) ?? early.filter((l) => !l.fromTable).map((l) => leadingRegion(l.text)).find(Boolean) ?? null;
  const m = fillFromHints({ year, department, region, kind }, hints);

  return {
    title: title?.replace(/\s+/g, ' ') ?? null,
    region: m.region,
    department: m.department,
    dept_code,
    year: m.year,
    kind: m.kind,
    year_source: m.sources.year,
    department_source: m.sources.department,
    region_source: m.sources.region,
    kind_source: m.sources.kind,
  };
}
