/**
 * What the transform did not understand, per document, so a person finds the next unknown layout
 * in minutes: tables left as `other` that look like indicator tables, rows of indicator tables
 * that produced nothing, and fields left empty. Computed after the transform from the extracted
 * grids and the rows it produced, never from a file name; loaded as `extraction_issues`.
 */
import type { Block, TableBlock } from '../extract/types.ts';
import { headRole, indicatorRole, isIndicatorHeader, LEVEL1_NAMES, LEVEL2_NAMES, OPERATOR_CELL, quarterOf } from './headers.ts';
import { nonEmpty, rowViews, type RowView } from './rows.ts';
import type { ExtractionIssue, NormalizedDoc } from './types.ts';

export type { ExtractionIssue, IssueReason } from './types.ts';

const LEVEL_WORDS = new Set([...LEVEL1_NAMES, ...LEVEL2_NAMES, '效果指标']);
/** 指标值-like: a comparison sign before a number (≥95%, ≤12小时, ＝1场), a sign alone in its column, or a bare percentage. */
const VALUE_LIKE = /^(?:[≥≤＞＜><＝=≧≦]|大于等于|小于等于|不低于|不高于|不少于|不超过)\s*[\d.]+|^[\d.]+\s*[%％]$/;

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const rowText = (r: RowView) => clip(nonEmpty(r).map((c) => c.text).join(' | '));
const levelWord = (t: string) => LEVEL_WORDS.has(t.replace(/^[\d.、\s]+/, ''));

/** Indicator-like content of a table: how many 一级/二级 word cells and 指标值-like cells, with samples. */
export function indicatorEvidence(rows: RowView[]): { levels: number; values: number; samples: string[] } {
  let levels = 0;
  let values = 0;
  const samples = new Set<string>();
  for (const r of rows)
    for (const c of nonEmpty(r)) {
      if (levelWord(c.key)) {
        levels++;
        if (samples.size < 6) samples.add(c.text);
      } else if (VALUE_LIKE.test(c.key) || /^[≥≤＞＜><＝=≧≦]$/.test(c.key)) {
        values++;
        if (samples.size < 6) samples.add(c.text);
      }
    }
  return { levels, values, samples: [...samples] };
}

/** Two 一级/二级 words, or one with a target value, or three target values: worth a look. */
export const looksLikeIndicators = (e: { levels: number; values: number }) => e.levels >= 2 || (e.levels >= 1 && e.values >= 1) || e.values >= 3;

/** A row that names columns or labels (a header, a sub-header, a head label, plan quarters): not content. */
function isLabelRow(r: RowView): boolean {
  const keys = r.cells.map((c) => c.key);
  if (isIndicatorHeader(keys)) return true;
  const cells = nonEmpty(r);
  const labelled = cells.filter((c) => indicatorRole(c.key) || headRole(c.key) || quarterOf(c.key) != null || OPERATOR_CELL.test(c.key)).length;
  return labelled > 0 && labelled >= cells.length / 2;
}

export function findIssues(blocks: Block[], doc: NormalizedDoc): ExtractionIssue[] {
  const out: ExtractionIssue[] = [];
  const add = (i: Omit<ExtractionIssue, 'issue_seq' | 'line_no'> & { line_no?: number | null }) => out.push({ line_no: null, ...i, issue_seq: out.length + 1 });
  const tables = new Map(blocks.filter((b): b is TableBlock => b.type === 'table').map((b) => [b.tableNo, b]));
  const used = new Set<string>();
  for (const x of [...doc.projects, ...doc.goals, ...doc.indicators]) used.add(`${x.table_no}:${x.row_no}`);

  for (const t of doc.tables) {
    const block = tables.get(t.table_no);
    if (!block) continue;
    const rows = rowViews(block);
    if (t.kind === 'other') {
      const e = indicatorEvidence(rows);
      if (!looksLikeIndicators(e)) continue;
      const head = rows.find((r) => nonEmpty(r).length >= 2);
      add({
        reason: 'unrecognized_indicator_table',
        detail: `${e.levels} 一级/二级 cells, ${e.values} 指标值-like cells`,
        n_rows: rows.length,
        evidence: clip([t.title ? `title: ${clip(t.title, 60)}` : null, `e.g. ${e.samples.join(', ')}`, head ? `first row: ${clip(rowText(head), 120)}` : null].filter(Boolean).join('; '), 300),
        page: t.page,
        table_no: t.table_no,
        row_no: null,
        line_no: t.line_no,
      });
      continue;
    }
    if (t.kind !== 'project_indicators' && t.kind !== 'department_indicators') continue;
    // Rows between a project's first and last indicator in this table, or after the table's last
    // one when they carry 一级/二级 words or values, should each have given an indicator.
    const rowsOf = new Map<number, number[]>();
    for (const i of doc.indicators) if (i.table_no === t.table_no && i.row_no != null) (rowsOf.get(i.project_seq) ?? rowsOf.set(i.project_seq, []).get(i.project_seq)!).push(i.row_no);
    const spans = [...rowsOf.values()].map((rs) => [Math.min(...rs), Math.max(...rs)] as const);
    const last = Math.max(0, ...spans.map((s) => s[1]));
    for (const r of rows) {
      if (used.has(`${t.table_no}:${r.rowNo}`) || !nonEmpty(r).length || isLabelRow(r)) continue;
      const inside = spans.some(([a, b]) => r.rowNo > a && r.rowNo < b);
      const after = last > 0 && r.rowNo > last && looksLikeIndicators(indicatorEvidence([r]));
      if (!inside && !after) continue;
      const cells = nonEmpty(r);
      const why = cells.every((c) => levelWord(c.key))
        ? 'only 一级/二级 names: an empty category, or a merged cell cut by a page break'
        : cells.length === 1
          ? 'one cell only (read as a title)'
          : 'no 三级 name, description or value in the indicator columns';
      add({ reason: 'row_dropped', detail: why, n_rows: 1, evidence: rowText(r), page: r.page, table_no: t.table_no, row_no: r.rowNo, line_no: r.line });
    }
  }

  // Fields left empty.
  const m = doc.meta;
  for (const f of ['year', 'region', 'department', 'kind'] as const)
    if (m[f] == null) add({ reason: 'field_empty', detail: `documents.${f}`, n_rows: null, evidence: null, page: null, table_no: null, row_no: null });
  for (const p of doc.projects)
    if (p.scope === 'project' && !p.name) add({ reason: 'field_empty', detail: 'projects.name', n_rows: 1, evidence: p.code, page: p.page, table_no: p.table_no, row_no: p.row_no, line_no: p.line_no });
  for (const i of doc.indicators)
    for (const f of ['level1', 'level3', 'value_raw'] as const)
      if (!i[f]) add({ reason: 'field_empty', detail: `indicators.${f}`, n_rows: 1, evidence: clip([i.level1, i.level2, i.level3, i.value_raw].map((x) => x ?? '∅').join(' | ')), page: i.page, table_no: i.table_no, row_no: i.row_no, line_no: i.line_no });
  return out;
}

/** Per reason (and field), how many: for the run summaries. */
export function countIssues(issues: Pick<ExtractionIssue, 'reason' | 'detail'>[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const i of issues) {
    const k = i.reason === 'field_empty' ? `field_empty:${i.detail}` : i.reason;
    n[k] = (n[k] ?? 0) + 1;
  }
  return n;
}
