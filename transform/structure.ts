/**
 * What a table says about itself, without its title: which scope its own labels give it
 * (部门整体 or project), and whether its columns carry the same kinds of content as the previous
 * indicator table's (so a headerless piece continues it, whatever text stood between them).
 */
import { LEVEL1_NAMES, LEVEL2_NAMES, OPERATOR_CELL, splitFlatIndicator } from './headers.ts';
import { logical, type RowView } from './rows.ts';

/** Labels only a 部门整体 target table prints (its own head rows). */
const DEPARTMENT_LABEL =
  /^(?:部门(?:\(单位\))?名称|单位\(部门\)名称|年度主要任务|主要任务|部门职能(?:职责)?(?:概述)?|部门职责|整体绩效目标|部门整体绩效目标|部门预算总额|预算支出总额|部门(?:整体)?(?:支出)?预算(?:总额)?|总体资金情况(?:\(万元\))?|任务名称)$/;
/** Labels only a project target table prints. */
const PROJECT_LABEL = /^(?:项目名称|项目编码|项目代码|项目编号|项目资金(?:\(万元\))?|项目绩效目标|项目总额|专项名称|项目\(政策\)名称|政策名称|政策和项目名称|项目年度目标|转移支付名称|专项资金名称|专项\(项目\)名称|项目\(专项\)名称)$/;

/**
 * Scope from the table's own labels: the first 部门整体 or project label in reading order decides
 * (a 部门整体 table lists its tasks, a project table its head); null when it prints neither.
 */
export function scopeFromContent(rows: RowView[]): 'department' | 'project' | null {
  for (const r of rows)
    for (const c of logical(r)) {
      if (!c.key || c.spannedDown || c.key.length > 16) continue;
      const k = c.key.replace(/[:：]$/, '');
      if (DEPARTMENT_LABEL.test(k)) return 'department';
      if (PROJECT_LABEL.test(k)) return 'project';
    }
  return null;
}

type ContentType = 'level1' | 'level2' | 'flat' | 'op';

const isLevel1 = (k: string) => LEVEL1_NAMES.includes(k) || /^(?:产出|效益|效果|满意度|成本)指标$/.test(k);
const isLevel2 = (k: string) => LEVEL2_NAMES.includes(k) || /^(?:.{1,8})(?:指标|效益|成本)$/.test(k);
const TEST: Record<ContentType, (k: string) => boolean> = {
  level1: isLevel1,
  level2: isLevel2,
  flat: (k) => splitFlatIndicator(k) != null,
  op: (k) => OPERATOR_CELL.test(k),
};

/**
 * A profile of the previous indicator table: its width and the columns whose content identifies
 * them (一级 words, 二级 words, flattened 一级+二级+三级 cells, comparison signs).
 */
export interface ColumnProfile {
  width: number;
  columns: { index: number; type: ContentType }[];
}

export function profileOf(roles: string[]): ColumnProfile | null {
  const columns: ColumnProfile['columns'] = [];
  roles.forEach((role, index) => {
    if (role === 'level1') columns.push({ index, type: 'level1' });
    else if (role === 'level2') columns.push({ index, type: 'level2' });
    else if (role === 'op') columns.push({ index, type: 'op' });
  });
  if (!roles.includes('level1')) {
    const l3 = roles.indexOf('level3');
    if (l3 >= 0) columns.push({ index: l3, type: 'flat' });
  }
  return columns.length ? { width: roles.length, columns } : null;
}

/**
 * Do these rows line up with the profile: same column count, and in every identifying column the
 * cells with text of their own mostly carry that column's kind of content?
 */
export function matchesProfile(rows: RowView[], profile: ColumnProfile): boolean {
  if (!rows.length) return false;
  const widths = rows.map((r) => r.cells.length);
  const common = mode(widths);
  if (common !== profile.width) return false;
  let checked = 0;
  for (const { index, type } of profile.columns) {
    const vals = rows
      .filter((r) => r.cells.length === profile.width)
      .map((r) => r.cells[index])
      .filter((c) => c && c.key && !c.spannedDown && !c.spannedRight)
      .map((c) => c.key);
    if (!vals.length) continue;
    const hits = vals.filter(TEST[type]).length;
    if (hits / vals.length < 0.7) return false;
    checked += hits;
  }
  return checked >= Math.min(2, rows.length);
}

function mode(xs: number[]): number {
  const n = new Map<number, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
}
