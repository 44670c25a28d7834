/**
 * The "not understood" report: per document, every table left as `other` with indicator-like
 * content, rows of indicator tables dropped and why, and fields left empty — the same rows as the
 * warehouse table `extraction_issues`, summarised for `jixiao ingest --report` and the nightly run.
 */
import type { ExtractionIssue } from '../transform/types.ts';

export interface IssueSummary {
  /** Issues by reason; empty fields by field (field_empty:indicators.level3 …). */
  counts: Record<string, number>;
  /** Every unrecognized table with indicator-like content. */
  unrecognized: Pick<ExtractionIssue, 'page' | 'table_no' | 'n_rows' | 'detail' | 'evidence'>[];
  /** Dropped rows by why. */
  dropped: Record<string, number>;
}

export function summarizeIssues(issues: ExtractionIssue[]): IssueSummary {
  const s: IssueSummary = { counts: {}, unrecognized: [], dropped: {} };
  for (const i of issues) {
    const k = i.reason === 'field_empty' ? `field_empty:${i.detail}` : i.reason;
    s.counts[k] = (s.counts[k] ?? 0) + 1;
    if (i.reason === 'unrecognized_indicator_table')
      s.unrecognized.push({ page: i.page, table_no: i.table_no, n_rows: i.n_rows, detail: i.detail, evidence: i.evidence });
    if (i.reason === 'row_dropped') s.dropped[i.detail ?? ''] = (s.dropped[i.detail ?? ''] ?? 0) + 1;
  }
  return s;
}

export const hasIssues = (s: IssueSummary | null | undefined) => !!s && Object.keys(s.counts).length > 0;

/** Lines for one document (indented), or [] when it has nothing to report. */
export function formatIssues(source: string, s: IssueSummary | null | undefined): string[] {
  if (!hasIssues(s)) return [];
  const lines = [source];
  for (const u of s!.unrecognized)
    lines.push(`    table ${u.table_no} p.${u.page ?? '?'} (${u.n_rows} rows) kind other with indicator-like content: ${u.detail}`, `        ${u.evidence ?? ''}`);
  for (const [why, n] of Object.entries(s!.dropped)) lines.push(`    ${n} row(s) dropped: ${why}`);
  const empty = Object.entries(s!.counts).filter(([k]) => k.startsWith('field_empty:'));
  if (empty.length) lines.push(`    fields left empty: ${empty.map(([k, n]) => `${k.slice(12)} ×${n}`).join(', ')}`);
  return lines;
}

/** Totals over documents: unrecognized tables (and their rows), dropped rows, empty fields. */
export function issueTotals(all: (IssueSummary | null | undefined)[]): { documents: number; unrecognizedTables: number; unrecognizedRows: number; droppedRows: number; emptyFields: number } {
  const t = { documents: 0, unrecognizedTables: 0, unrecognizedRows: 0, droppedRows: 0, emptyFields: 0 };
  for (const s of all) {
    if (!hasIssues(s)) continue;
    t.documents++;
    t.unrecognizedTables += s!.unrecognized.length;
    t.unrecognizedRows += s!.unrecognized.reduce((a, u) => a + (u.n_rows ?? 0), 0);
    t.droppedRows += s!.counts.row_dropped ?? 0;
    t.emptyFields += Object.entries(s!.counts).filter(([k]) => k.startsWith('field_empty:')).reduce((a, [, n]) => a + n, 0);
  }
  return t;
}

export function formatTotals(t: ReturnType<typeof issueTotals>): string {
  return `not understood: ${t.unrecognizedTables} table(s) of kind other with indicator-like content (${t.unrecognizedRows} rows), ${t.droppedRows} row(s) dropped, ${t.emptyFields} empty field(s), in ${t.documents} document(s) — SELECT * FROM extraction_issues`;
}
