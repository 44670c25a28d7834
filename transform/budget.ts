/**
 * Budget tables (收支总表 … 三公经费, 政府采购, 固定资产) → budget_lines: one row per amount cell,
 * with the row's classification code and name and the column's header path.
 *
 * Multi-row headers are aligned to the data width. When spans are known the dense grid already
 * aligns them; for text dumps a shorter upper header row is spread over the lower row's segments
 * (each empty lower cell is a column the upper cell spans down into; each run of labelled lower
 * cells is a group under one upper cell).
 */
import type { BudgetLineRow } from './types.ts';
import { budgetColumnRole } from './headers.ts';
import type { RowView } from './rows.ts';
import { isAmountCell, parseAmountWan } from './values.ts';

const isPreamble = (texts: string[]) => {
  const t = texts.filter(Boolean);
  if (!t.length) return true;
  return t.every((x) => /单位[:：]|预算年度|截止时间|^\d{3,}\s*\S+(?:局|委|办|院|中心|室|厅|部|会|馆|所|站|队)$|金额单位|^表\s*\d|预算\d+表$|^部门(?:名称)?[:：]|^单位名称[:：]|编制单位/.test(x));
};

/** Spread a shorter header row over the segments of the row below it. */
export function spreadHeader(upper: string[], lower: string[]): string[] {
  const up = [...upper];
  while (up.length && !up[up.length - 1]) up.pop();
  const W = lower.length;
  if (up.length >= W) return up.slice(0, W);
  type Seg = { from: number; to: number };
  let segs: Seg[] = [];
  for (let i = 0; i < W; ) {
    if (!lower[i]) {
      segs.push({ from: i, to: i });
      i++;
    } else {
      let j = i;
      while (j + 1 < W && lower[j + 1]) j++;
      segs.push({ from: i, to: j });
      i = j + 1;
    }
  }
  // Too few segments: split the widest runs evenly.
  while (segs.length < up.length) {
    let wi = -1;
    segs.forEach((s, i) => {
      if (s.to > s.from && (wi < 0 || s.to - s.from > segs[wi].to - segs[wi].from)) wi = i;
    });
    if (wi < 0) break;
    const s = segs[wi];
    const parts = Math.min(up.length - segs.length + 1, s.to - s.from + 1);
    const size = Math.ceil((s.to - s.from + 1) / parts);
    const pieces: Seg[] = [];
    for (let f = s.from; f <= s.to; f += size) pieces.push({ from: f, to: Math.min(s.to, f + size - 1) });
    segs = [...segs.slice(0, wi), ...pieces, ...segs.slice(wi + 1)];
  }
  const out = new Array<string>(W).fill('');
  segs.forEach((s, i) => {
    for (let c = s.from; c <= s.to; c++) out[c] = up[i] ?? '';
  });
  return out;
}

export function parseBudgetTable(rows: RowView[], tableKind: string, unitFromTitle: '元' | '万元' | null = null): { lines: BudgetLineRow[]; warnings: string[] } {
  const warnings: string[] = [];
  const texts = rows.map((r) => r.cells.map((c) => (c.spannedRight ? '' : c.text)));
  const denseTexts = rows.map((r) => r.cells.map((c) => c.text));
  let i = 0;
  while (i < rows.length && isPreamble(texts[i])) i++;
  // Header rows: up to the 栏次 row, else until the first row with an amount cell.
  const headerStart = i;
  let dataStart = -1;
  for (let j = i; j < rows.length; j++) {
    const first = texts[j].find(Boolean) ?? '';
    if (/^(?:栏次|行次)$/.test(first.replace(/\s+/g, ''))) {
      dataStart = j + 1;
      break;
    }
  }
  let headerEnd = dataStart > 0 ? dataStart - 1 : -1;
  if (dataStart < 0) {
    for (let j = i; j < rows.length; j++) {
      if (texts[j].some((t) => isAmountCell(t) && !/^\d{1,2}$/.test(t))) {
        dataStart = j;
        break;
      }
    }
    headerEnd = dataStart;
  }
  if (dataStart < 0 || headerEnd <= headerStart) return { lines: [], warnings };
  const dataRows = rows.slice(dataStart);
  const W = Math.max(...dataRows.map((r) => r.cells.length), 0);
  if (!W) return { lines: [], warnings };
  const hasSpans = rows.some((r) => r.cells.some((c) => c.spannedDown || c.spannedRight));
  // Align header rows to W, bottom-up.
  const header = (hasSpans ? denseTexts : texts).slice(headerStart, headerEnd).map((r) => r.map((t) => t.replace(/[\s\u3000]+/g, '')));
  const aligned: string[][] = new Array(header.length);
  for (let h = header.length - 1; h >= 0; h--) {
    const row = header[h];
    if (row.length === W) aligned[h] = row;
    else if (h === header.length - 1) aligned[h] = row.length < W ? [...new Array(W - row.length).fill(''), ...row] : row.slice(0, W);
    else aligned[h] = spreadHeader(row, aligned[h + 1]);
  }
  const labels: string[] = [];
  for (let c = 0; c < W; c++) {
    const parts: string[] = [];
    for (const row of aligned) {
      const t = row[c] ?? '';
      if (t && parts[parts.length - 1] !== t) parts.push(t);
    }
    labels.push(parts.join('/'));
  }
  const roles = labels.map((l) => (l ? budgetColumnRole(l) : 'amount'));
  const unitHint: '万元' | '元' | null =
    unitFromTitle ??
    (rows
      .slice(0, headerStart + 1)
      .flatMap((r) => r.cells.map((c) => c.text))
      .some((t) => /单位[:：]\s*元/.test(t))
      ? '元'
      : '万元');
  const lines: BudgetLineRow[] = [];
  for (const r of dataRows) {
    const cells = r.cells.map((c) => (c.spannedRight ? '' : c.text));
    if (/^(?:栏次|行次)$/.test((cells.find(Boolean) ?? '').replace(/\s+/g, ''))) continue;
    // A code may be printed whole (2240101) or split over 类 | 款 | 项 columns (224 | 01 | 01).
    const codeText = roles
      .map((role, k) => (role === 'code' ? cells[k] ?? '' : ''))
      .filter(Boolean)
      .join('');
    const code = /^\d[\d\s.]*$/.test(codeText) ? codeText.replace(/[\s.]/g, '') : null;
    for (let c = 0; c < cells.length && c < W; c++) {
      if (roles[c] !== 'amount') continue;
      const t = cells[c];
      if (!t || !isAmountCell(t)) continue;
      let nameCol = -1;
      for (let k = c - 1; k >= 0; k--)
        if (roles[k] === 'name') {
          nameCol = k;
          break;
        }
      const name = nameCol >= 0 ? cells[nameCol] || null : cells.find((x, k) => k < c && x && !isAmountCell(x) && roles[k] !== 'seq' && roles[k] !== 'code') || null;
      if (nameCol >= 0 && !name && !code) continue; // an amount beside an empty name: the other half of a two-sided table
      lines.push({
        table_kind: tableKind,
        code,
        name,
        column_name: labels[c] || `col${c + 1}`,
        amount_wan: parseAmountWan(t, unitHint),
        page: r.page,
        table_no: r.tableNo,
        row_no: r.rowNo,
        line_no: r.line,
      });
    }
  }
  if (!lines.length) warnings.push(`table ${rows[0]?.tableNo}: ${tableKind} has no amounts`);
  return { lines, warnings };
}
