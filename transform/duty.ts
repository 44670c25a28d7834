/**
 * Department-duty tables (部门职责及工作活动绩效目标指标): one row per duty (职责编码 / 职责名称 /
 * 年度预算 / 内容描述 / 绩效目标) with its indicators, each graded by standards such as
 * 100% / 90% / 80% / 70%以下 (评价标准, possibly several columns).
 */
import type { DutyIndicatorRow, DutyRow, Provenance } from './types.ts';
import type { RowView } from './rows.ts';
import { parseAmountWan } from './values.ts';

type DutyRole = 'code' | 'name' | 'budget' | 'description' | 'goal' | 'indicator' | 'grades';

const DUTY_HEADERS: [DutyRole, RegExp][] = [
  ['code', /^(?:职责编码|职责代码|活动编码)$/],
  ['name', /^(?:职责名称|职责|工作活动|活动名称)$/],
  ['budget', /(?:年度预算|预算数|预算金额)/],
  ['description', /(?:内容描述|职责描述|活动内容)/],
  ['goal', /^(?:绩效目标|年度目标)$/],
  ['indicator', /^(?:绩效指标|指标名称|指标)$/],
  ['grades', /(?:评价标准|评分标准|指标值|目标值)/],
];

export const isDutyHeader = (keys: string[]) => keys.some((k) => /^(?:职责编码|职责名称)$/.test(k)) && keys.some((k) => /绩效指标|评价标准/.test(k));

const prov = (r: RowView): Provenance => ({ page: r.page, table_no: r.tableNo, row_no: r.rowNo, line_no: r.line });

export function parseDutyTable(rows: RowView[], startSeq: number): { duties: DutyRow[]; indicators: DutyIndicatorRow[] } {
  const duties: DutyRow[] = [];
  const indicators: DutyIndicatorRow[] = [];
  const h = rows.findIndex((r) => isDutyHeader(r.cells.map((c) => c.key)));
  if (h < 0) return { duties, indicators };
  const roles: (DutyRole | null)[] = rows[h].cells.map((c) => DUTY_HEADERS.find(([, re]) => re.test(c.key))?.[0] ?? null);
  const gradesFrom = roles.indexOf('grades');
  // Graded standards printed as sub-headers (100% 90% 80% 70%以下) in the row under the header.
  let start = h + 1;
  let gradeLabels: string[] | null = null;
  const sub = rows[start];
  if (sub && gradesFrom >= 0 && sub.cells.slice(0, gradesFrom).every((c) => !c.text || c.spannedDown) && sub.cells.slice(gradesFrom).some((c) => c.text)) {
    gradeLabels = sub.cells.slice(gradesFrom).map((c) => c.text);
    start++;
  }
  const at = (r: RowView, role: DutyRole) => {
    const i = roles.indexOf(role);
    const c = i >= 0 ? r.cells[i] : undefined;
    return c && c.text && !c.spannedDown ? c.text : null;
  };
  let cur: DutyRow | null = null;
  for (const r of rows.slice(start)) {
    if (!r.cells.some((c) => c.text)) continue;
    const code = at(r, 'code');
    const name = at(r, 'name');
    if (code || name || !cur) {
      cur = {
        duty_seq: startSeq + duties.length,
        code,
        name,
        budget_wan: parseAmountWan(at(r, 'budget')),
        description: at(r, 'description'),
        goal: at(r, 'goal'),
        ...prov(r),
      };
      duties.push(cur);
    }
    const ind = at(r, 'indicator');
    if (!ind) continue;
    const grades = gradesFrom >= 0 ? r.cells.slice(gradesFrom).map((c) => c.text) : [];
    indicators.push({
      duty_seq: cur.duty_seq,
      indicator_seq: indicators.filter((x) => x.duty_seq === cur!.duty_seq).length + 1,
      name: ind,
      grades: grades.length ? JSON.stringify(grades) : null,
      grade_labels: gradeLabels ? JSON.stringify(gradeLabels) : null,
      ...prov(r),
    });
  }
  return { duties, indicators };
}
