/**
 * Transform: classify each extracted table and map it into normalized rows.
 * Classification and mapping are driven by the text of headers and titles (headers.ts),
 * never by which file or city a table came from.
 */
import type { ExtractedDoc } from '../extract/types.ts';
import { parseBudgetTable } from './budget.ts';
import { isDutyHeader, parseDutyTable } from './duty.ts';
import { budgetKindOf, headRole, isIndicatorHeader } from './headers.ts';
import { findIssues } from './issues.ts';
import { detectMeta } from './meta.ts';
import { ProjectParser } from './projects.ts';
import { rowViews, type RowView } from './rows.ts';
import { scopeFromContent } from './structure.ts';
import type { DocumentHints, NormalizedDoc, ProjectRow, TableKind, TableRowSummary } from './types.ts';

export const TRANSFORM_VERSION = 'transform@1';

export interface TransformOptions {
  source?: string;
  hints?: DocumentHints;
}

/** Lines under a table title that are not its title: units, issuer, year. */
const UNIT_LINE = /^(?:(?:编制|预算|填报)?单位(?:名称)?[:：].*|金额单位[:：].*|部门(?:名称)?[:：].*|[（(]?20\d{2}年度?[)）]?|单位[:：]?(?:万元|元)|第?\d+页.*|-?\d+-?)$/;

const singleCellTitle = (rows: RowView[]) =>
  rows
    .slice(0, 3)
    .map((r) => r.cells.map((c) => c.text).filter(Boolean))
    .find((t) => t.length === 1 && /表|目标/.test(t[0]))?.[0] ?? null;

/**
 * A plan ending at 100 for a budget of 100 could be percentages or amounts; a department fills
 * every project's plan the same way, so such a plan takes the unit most of its siblings have.
 */
function resolveAmbiguousPlans(projects: ProjectRow[]) {
  const ambiguous = (p: ProjectRow) => {
    const nums = [p.plan_q1, p.plan_q2, p.plan_q3, p.plan_q4].filter((v): v is number => v != null);
    return p.budget_wan != null && Math.abs(p.budget_wan - 100) < 0.01 && nums.length > 0 && Math.abs(Math.max(...nums) - 100) < 0.01 && !(p.plan_raw ?? '').includes('%');
  };
  const votes = { percent: 0, amount: 0 };
  for (const p of projects) if (!ambiguous(p) && (p.plan_unit === 'percent' || p.plan_unit === 'amount')) votes[p.plan_unit]++;
  if (votes.amount === votes.percent) return;
  const unit = votes.amount > votes.percent ? 'amount' : 'percent';
  for (const p of projects) if (ambiguous(p)) p.plan_unit = unit;
}

export function transformDocument(ex: ExtractedDoc, opts: TransformOptions = {}): NormalizedDoc {
  const meta = detectMeta(ex.blocks, opts.hints);
  const parser = new ProjectParser();
  const doc: NormalizedDoc = {
    meta,
    tables: [],
    projects: [],
    goals: [],
    indicators: [],
    budget_lines: [],
    duties: [],
    duty_indicators: [],
    warnings: [],
    issues: [],
  };
  let title: string | null = null;
  let titleLines: string[] = [];
  let titleChanged = false;
  let departmentScope = false;

  for (const block of ex.blocks) {
    if (block.type === 'text') {
      const lines = block.text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (!lines.length) continue;
      // The table's title is the last line before it that is not a unit / issuer line.
      titleLines = lines.slice(-4);
      title = [...titleLines].reverse().find((l) => !UNIT_LINE.test(l.replace(/\s+/g, ''))) ?? lines[lines.length - 1];
      titleChanged = true;
      if (lines.some((l) => /部门整体.{0,6}(?:绩效)?目标(?:申报)?表|整体支出绩效目标表/.test(l.replace(/\s+/g, '')))) departmentScope = true;
      else if (/项目.{0,10}(?:绩效目标|绩效信息)表|政策和项目/.test(title.replace(/\s+/g, ''))) departmentScope = false;
      parser.text();
      continue;
    }
    const rows = rowViews(block);
    if (!rows.length) continue;
    const keys = rows.map((r) => r.cells.map((c) => c.key));
    const inner = singleCellTitle(rows);
    if (inner && /部门整体|整体支出/.test(inner)) departmentScope = true;
    const budgetKind =
      [...(titleChanged ? titleLines : []), ...(title && !titleChanged ? [title] : [])].reverse().map(budgetKindOf).find(Boolean) ??
      (inner ? budgetKindOf(inner) : null);
    const hasIndicatorHeader = keys.some(isIndicatorHeader);
    const hasHead = keys.some((ks) => ks.some((k) => headRole(k) === 'code' || headRole(k) === 'name'));
    // A headerless piece whose columns line up with the indicator table being read continues it,
    // with its header, kind and scope, whatever text the extractor left between the pieces.
    const continues = !hasIndicatorHeader && !hasHead && !keys.some(isDutyHeader) && parser.continuesByStructure(rows);
    // The table's own labels say which scope it has; the title only breaks a tie.
    const ownScope = continues ? parser.currentScope : scopeFromContent(rows);
    if (ownScope) departmentScope = ownScope === 'department';
    let kind: TableKind = 'other';
    let subkind: string | null = null;

    if (keys.some(isDutyHeader)) {
      kind = 'duty_indicators';
      const { duties, indicators } = parseDutyTable(rows, doc.duties.length + 1);
      doc.duties.push(...duties);
      doc.duty_indicators.push(...indicators);
    } else if (continues || hasIndicatorHeader || (!budgetKind && (hasHead || parser.wouldContinue(rows, titleChanged)))) {
      kind = departmentScope ? 'department_indicators' : 'project_indicators';
      parser.table(rows, { title, titleChanged: continues ? false : titleChanged, departmentScope, continues });
    } else if (budgetKind) {
      kind = 'budget';
      subkind = budgetKind;
      const unitYuan = (titleChanged ? titleLines : []).some((l) => /单位[:：]\s*元/.test(l.replace(/\s+/g, '')));
      const { lines, warnings } = parseBudgetTable(rows, budgetKind, unitYuan ? '元' : null);
      doc.budget_lines.push(...lines);
      doc.warnings.push(...warnings);
    }
    const summary: TableRowSummary = {
      table_no: block.tableNo,
      kind,
      subkind,
      title: inner ?? title,
      page: block.page ?? rows[0].page,
      page_end: block.pageEnd ?? rows[rows.length - 1].page,
      line_no: rows[0].line,
      n_rows: rows.length,
      n_cols: Math.max(...rows.map((r) => r.cells.length)),
    };
    doc.tables.push(summary);
    titleChanged = false;
  }
  parser.finish();
  resolveAmbiguousPlans(parser.projects);
  doc.projects = parser.projects;
  doc.goals = parser.goals;
  doc.indicators = parser.indicators;
  doc.warnings.push(...parser.warnings);
  doc.issues = findIssues(ex.blocks, doc);
  return doc;
}
