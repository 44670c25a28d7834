/**
 * Rows cut by a page break. A Word table converted to PDF may break a row across pages: the top of
 * the next page then holds the rest of the row's cells, with its merged 一级 / 二级 cells carried.
 * Such a fragment is folded into the row it was cut from, never read as an indicator; a header row
 * cut the same way is joined back before its columns are mapped.
 */
import type { IndicatorRow } from './types.ts';
import { headRole, indicatorRole, isIndicatorHeader, LEVEL1_NAMES, LEVEL2_NAMES, type IndicatorRole } from './headers.ts';
import type { RowView, ViewCell } from './rows.ts';
import { joinLines, key } from './text.ts';
import { parseIndicatorValue } from './values.ts';

type Getter = (role: IndicatorRole) => { text: string; down: boolean; present: boolean };

/**
 * A row cut by a page break: the top of the next page holds the rest of the row's cells, with its
 * 一级 / 二级 merged from above (or repeated, or empty) and not both a 三级 name and a value of its
 * own. It belongs to the row above it, never an indicator of its own.
 */
export function isFragment(r: RowView, prev: IndicatorRow, roles: readonly string[], get: Getter): boolean {
  if (!acrossBreak(r, prev)) return false;
  // Merged from above, repeated, empty — or the rest of a level name cut in two (效益 | 指标).
  const carried = (x: ReturnType<Getter>, was: string | null) => !x.text || x.down || x.text === was || completesLevel(was, x.text);
  const l1 = get('level1');
  const l2 = get('level2');
  if (!carried(l1, prev.level1) || !carried(l2, prev.level2)) return false;
  // The rest of a level name cut in two is proof enough, whatever else the row holds.
  if ((l1.text && !l1.down && completesLevel(prev.level1, l1.text)) || (l2.text && !l2.down && completesLevel(prev.level2, l2.text))) return true;
  const own = (role: IndicatorRole) => roles.some((x, i) => x === role && r.cells[i]?.text && !r.cells[i].spannedDown && !r.cells[i].spannedRight);
  // Layouts without a 三级 column name the indicator in 指标内容 (description).
  const named = own('level3') || (!roles.includes('level3') && own('description'));
  const valued = own('value') || own('value_num') || own('op');
  if (named && valued) return false;
  return roles.some((x, i) => x !== 'level1' && x !== 'level2' && !x.startsWith('head:') && r.cells[i]?.text && !r.cells[i].spannedDown && !r.cells[i].spannedRight);
}

/** `r` is the first row after a page break and `prev` the row printed just before it. */
const acrossBreak = (r: RowView, prev: IndicatorRow) =>
  r.page != null && prev.page != null && r.page !== prev.page && (prev.table_no === r.tableNo ? prev.row_no === r.rowNo - 1 : r.rowNo === 1);

/**
 * A merged 一级 / 二级 cell cut mid-word by a page break (产出指 | 标): the first row after the break
 * holds the rest of the level name as its own text, beside cells of its own (a new 二级 / 三级, so
 * not a fragment). Returns the whole name — the row continues the merged cell — or null. The
 * indicators printed before the break under the cut name are mended by the caller.
 */
export function restOfCutLevel(r: RowView, prev: IndicatorRow, level: 'level1' | 'level2', cell: { text: string; down: boolean }): string | null {
  if (!cell.text || cell.down || !acrossBreak(r, prev) || !completesLevel(prev[level], cell.text)) return null;
  return `${prev[level]}${cell.text}`;
}

const FOLD: Partial<Record<IndicatorRole, 'level3' | 'description' | 'basis' | 'scoring_rule' | 'period_value' | 'measure_unit' | 'nature' | 'value_type'>> = {
  level3: 'level3',
  description: 'description',
  basis: 'basis',
  scoring_rule: 'scoring_rule',
  period_value: 'period_value',
  measure_unit: 'measure_unit',
  nature: 'nature',
  value_type: 'value_type',
};

/** Append the fragment's cells to the fields of the row it was cut from. */
export function foldFragment(r: RowView, prev: IndicatorRow, roles: readonly string[]) {
  const join = (a: string | null, b: string) => joinLines(`${a ?? ''}\n${b}`) || null;
  let value: string | null = null;
  const extra: Record<string, string> = prev.extra ? JSON.parse(prev.extra) : {};
  roles.forEach((role, i) => {
    const c = r.cells[i];
    if (!c || !c.text || c.spannedDown || c.spannedRight) return;
    if (role === 'level1' || role === 'level2') {
      if (completesLevel(prev[role], c.text)) prev[role] = `${prev[role]}${c.text}`;
      return;
    }
    const field = FOLD[role as IndicatorRole];
    if (field) {
      prev[field] = join(prev[field], c.text);
      // Layouts without their own column copy the field elsewhere (see indicatorRow).
      if (field === 'scoring_rule' && !roles.includes('basis')) prev.basis = prev.scoring_rule;
      if (field === 'description' && !roles.includes('level3')) prev.level3 = prev.description;
    } else if (role === 'value' || role === 'value_num') value = c.text;
    else if (role.startsWith('extra:')) {
      const k = role.slice(6) || `col${i + 1}`;
      extra[k] = join(extra[k] ?? null, c.text) ?? '';
    }
  });
  if (value) Object.assign(prev, parseIndicatorValue(join(prev.value_raw, value)));
  if (Object.keys(extra).length) prev.extra = JSON.stringify(extra);
}

const LEVEL_NAMES = new Set([...LEVEL1_NAMES, ...LEVEL2_NAMES]);
const completesLevel = (was: string | null, tail: string) => !!was && !LEVEL_NAMES.has(was) && LEVEL_NAMES.has(`${was}${tail}`);

const SUB_LABEL = new Set<IndicatorRole | null>(['op', 'value_num', 'measure_unit']);

/**
 * `r` is the upper part of a header row and `next`, on the next page, its rest (一级 | 绩效指标描 →
 * 指标 | 述), possibly beside the sub-header labels (符号 | 值 | 单位). Returns the joined header and,
 * when there are sub-labels, the sub-header row; null when the halves do not make a header.
 */
export function joinCutHeader(r: RowView, next: RowView): RowView[] | null {
  if (r.page == null || next.page == null || r.page === next.page || r.cells.length !== next.cells.length) return null;
  // The upper half already names the level columns; the lower half holds only short rests of words.
  const roles = new Set(r.cells.map((c) => indicatorRole(c.key)));
  if (!roles.has('level1') || !(roles.has('level2') || roles.has('level3'))) return null;
  const own = (c: ViewCell | undefined) => !!c && !!c.text && !c.spannedDown && !c.spannedRight;
  const isSub = (c: ViewCell | undefined) => own(c) && SUB_LABEL.has(indicatorRole(c!.key));
  if (next.cells.some((n, j) => own(n) && !isSub(n) && (n.text.length > 6 || !own(r.cells[j])))) return null;
  let joined = false;
  const header = r.cells.map((c, j) => {
    const n = next.cells[j];
    if (!own(n) || isSub(n) || c.spannedRight) return c;
    joined = true;
    const raw = `${c.raw}${n.raw}`;
    const text = joinLines(raw.replace(/\n/g, ''));
    return { ...c, raw, text, key: key(text) };
  });
  // The join must name more columns than the upper half alone (a header above a data row is not cut).
  const named = (cs: ViewCell[]) => cs.filter((c) => own(c) && indicatorRole(c.key)).length;
  if (!joined || !isIndicatorHeader(header.map((c) => c.key)) || named(header) <= named(r.cells)) return null;
  const subCells = next.cells.map((n) => (isSub(n) ? n : { raw: '', text: '', key: '', spannedDown: true, spannedRight: false }));
  const out: RowView[] = [{ ...r, cells: header }];
  if (subCells.some((c) => c.text)) out.push({ ...next, cells: subCells });
  return out;
}

/**
 * `sub` is a sub-header row (符号 | 值 | 单位（文字) and `rest`, on the next page, holds only the
 * rest of its labels (描述）): the joined sub-header, or null.
 */
export function joinCutSubHeader(sub: RowView, rest: RowView): RowView | null {
  if (sub.page == null || rest.page == null || sub.page === rest.page || sub.cells.length !== rest.cells.length) return null;
  const own = (c: ViewCell | undefined) => !!c && !!c.text && !c.spannedDown && !c.spannedRight;
  const tails = rest.cells.map((c, j) => (own(c) ? j : -1)).filter((j) => j >= 0);
  if (!tails.length || tails.some((j) => !own(sub.cells[j]) || rest.cells[j].text.length > 6)) return null;
  const cells = sub.cells.map((c, j) => {
    if (!tails.includes(j)) return c;
    const text = `${c.text}${rest.cells[j].text}`;
    return { ...c, raw: text, text, key: key(text) };
  });
  return cells.every((c) => !own(c) || SUB_LABEL.has(indicatorRole(c.key))) ? { ...sub, cells } : null;
}

/**
 * A head label cut mid-word by a page break (预算规模及资 | 金用途, 资金支 | 出计划（%）): `prev`, the
 * last row before the break, and `r`, the first after it, each start with a piece of the label that
 * no dictionary knows, and the joined text is a label (资金用途, 支出计划). Returns `prev` with the
 * whole label and `r` with its first cell merged from above (the label spans both rows, as on
 * paper); null otherwise.
 */
export function joinCutLabel(prev: RowView, r: RowView): { prev: RowView; next: RowView } | null {
  if (r.page == null || prev.page == null || r.page === prev.page || r.tableNo !== prev.tableNo) return null;
  const a = prev.cells[0];
  const b = r.cells[0];
  const own = (c: ViewCell | undefined) => !!c && !!c.text && !c.spannedDown && !c.spannedRight;
  if (!own(a) || !own(b) || headRole(a.key) || headRole(b.key)) return null;
  const text = joinLines(`${a.raw}${b.raw}`.replace(/\n/g, ''));
  if (!headRole(key(text))) return null;
  const whole = { ...a, raw: text, text, key: key(text) };
  return {
    prev: { ...prev, cells: [whole, ...prev.cells.slice(1)] },
    next: { ...r, cells: [{ ...whole, spannedDown: true }, ...r.cells.slice(1)] },
  };
}
