/**
 * Indicator header → column roles: the header row (and its 符号 | 值 | 单位 sub-header), refined by
 * what the columns hold; plus the small row tests the project parser needs.
 */
import { headRole, indicatorRole, OPERATOR_CELL, type HeadRole, type IndicatorRole } from './headers.ts';
import type { RowView, ViewCell } from './rows.ts';
import { key } from './text.ts';

export type ColumnRole = IndicatorRole | `extra:${string}` | `head:${HeadRole}`;

export function isSubHeader(r: RowView): boolean {
  const filled = r.cells.filter((c) => c.text && !c.spannedDown && !c.spannedRight);
  if (!filled.length) return false;
  return filled.every((c) => {
    const role = indicatorRole(c.key);
    if (role === 'op' || role === 'value_num' || role === 'measure_unit' || role === 'weight' || role === 'value' || role === 'period_value' || role === 'nature') return true;
    const hr = headRole(c.key);
    return hr === 'fiscal' || hr === 'other' || hr === 'budget';
  });
}

/**
 * A column whose cells are mostly comparison signs is the operator column, whatever its header
 * says (北京 prints ≤ / ＝ / 定性 under 绩效指标性质, 长沙 under 指标值类型).
 */
export function refineRolesByContent(roles: ColumnRole[], rows: RowView[]): ColumnRole[] {
  if (roles.includes('op')) return roles;
  return roles.map((role, i) => {
    if (role !== 'nature' && role !== 'value_type' && !role.startsWith('extra:')) return role;
    const vals = rows.map((r) => r.cells[i]).filter((c) => c && c.text && !c.spannedDown && !c.spannedRight).map((c) => c!.key);
    if (vals.length >= 2 && vals.filter((v) => OPERATOR_CELL.test(v)).length / vals.length >= 0.6) return 'op';
    return role;
  });
}

export function isTitleRow(r: RowView): boolean {
  const t = r.cells.map((c) => c.text).filter(Boolean);
  return t.length === 1 && /(?:表|单位[:：]|万元)$/.test(t[0]);
}

/** Column roles from the header row, refined by a sub-header row (符号 | 值 | 单位 under 指标值). */
export function columnRoles(header: RowView, sub: RowView | null): ColumnRole[] {
  const headerRoles: ColumnRole[] = header.cells.map((c, i) => {
    const ir = indicatorRole(c.key);
    if (ir) return ir;
    // Wide layouts put the project's own columns (名称, 资金总额, 绩效目标) beside the indicators.
    const hr = headRole(c.key) ?? (/(?:项目\)?名称|\(项目\)名称|项目名称)$/.test(c.key) ? 'name' : /^(?:项目编码|项目代码)$/.test(c.key) ? 'code' : null);
    if (hr && hr !== 'ignore' && hr !== 'plan') return `head:${hr}` as ColumnRole;
    return `extra:${c.text || `col${i + 1}`}` as ColumnRole;
  });
  // Horizontal span duplicates of the same header repeat its role.
  if (!sub) return headerRoles;
  const subRole = (c: ViewCell | undefined) => (c && c.text && !c.spannedDown && !c.spannedRight ? indicatorRole(c.key) : null);
  if (sub.cells.length === header.cells.length) {
    return header.cells.map((_, i) => {
      const c = sub.cells[i];
      const sr = subRole(c);
      if (sr && sr !== 'value') return sr;
      const hr = c && c.text && !c.spannedDown ? headRole(c.key) : null;
      if (hr === 'fiscal' || hr === 'other' || hr === 'budget') return `head:${hr}` as ColumnRole;
      return headerRoles[i];
    });
  }
  // Jagged rows (text dumps): the sub-labels expand the header cell above them.
  const roles: ColumnRole[] = [];
  let hp = 0;
  let inSub = false;
  sub.cells.forEach((c, i) => {
    const sr = subRole(c);
    if (sr && sr !== 'value') {
      inSub = true;
      roles[i] = sr;
    } else {
      if (inSub) {
        hp++;
        inSub = false;
      }
      roles[i] = headerRoles[hp++] ?? (`extra:col${i + 1}` as ColumnRole);
    }
  });
  return roles;
}

/** `1、安全生产应急保障金项目绩效目标表` → 安全生产应急保障金 */
export function projectNameFromTitle(title: string, departmentScope = false): string | null {
  const k = key(title).replace(/^(?:预算\d+表|预算表\d+|表\d+|附表\d+)[-—:：]?/, '');
  if (departmentScope) return k || null;
  const t = k
    .replace(/^(?:[（(]?\d{1,3}[)）、.．]|[一二三四五六七八九十]+、)/, '')
    .replace(/(?:项目)?(?:支出)?(?:绩效目标(?:申报)?表|绩效目标|绩效信息表)$/, '')
    .replace(/项目$/, '');
  return t && t.length <= 60 && !/^(?:部门预算|预算项目)$/.test(t) ? t : null;
}
