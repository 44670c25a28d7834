/**
 * Normalized rows produced by the transform stage and loaded by the warehouse.
 * Field names follow the warehouse columns (snake_case) so loading is a straight copy.
 * See docs/warehouse.md for the meaning of every column.
 */

export type ValueKind = 'numeric' | 'percent' | 'text' | 'placeholder' | 'empty';
export type PlanUnit = 'percent' | 'amount' | 'ratio' | 'unknown' | 'empty';
export type DocKind = '预算' | '决算';

export interface Provenance {
  page: number | null;
  table_no: number | null;
  row_no: number | null;
  line_no: number | null;
}

/**
 * Where a metadata field came from: the document's own text, its file name, what the crawl saw
 * (link text, article title, listing column, publication date), or the source's config.
 */
export type MetaSource = 'document' | 'filename' | 'link_text' | 'article_title' | 'column' | 'published_at' | 'config';

export interface DocumentMeta {
  title: string | null;
  region: string | null;
  department: string | null;
  dept_code: string | null;
  year: number | null;
  kind: DocKind | null;
  year_source: MetaSource | null;
  department_source: MetaSource | null;
  region_source: MetaSource | null;
  kind_source: MetaSource | null;
}

/** Kind of a classified table. */
export type TableKind =
  | 'project_indicators' // 项目支出绩效目标表 (head + indicators)
  | 'department_indicators' // 部门整体绩效目标表
  | 'duty_indicators' // 部门职责及工作活动绩效目标指标 (graded standards)
  | 'budget' // one of the budget tables (收支总表 …)
  | 'other';

export interface TableRowSummary {
  table_no: number;
  kind: TableKind;
  /** For budget tables: 收支总表, 收入总表 …; for others a short label. */
  subkind: string | null;
  title: string | null;
  page: number | null;
  page_end: number | null;
  line_no: number | null;
  n_rows: number;
  n_cols: number;
}

export interface ProjectRow extends Provenance {
  project_seq: number;
  /** 'project' for 项目支出 tables, 'department' for 部门整体 target tables. */
  scope: 'project' | 'department';
  code: string | null;
  name: string | null;
  budget_wan: number | null;
  fiscal_wan: number | null;
  other_wan: number | null;
  purpose: string | null;
  plan_q1: number | null;
  plan_q2: number | null;
  plan_q3: number | null;
  plan_q4: number | null;
  plan_unit: PlanUnit;
  /** The four spending-plan cells as printed, JSON array of strings or nulls. */
  plan_raw: string | null;
  /** Labels of the plan columns as printed (3月底 …), JSON array. */
  plan_labels: string | null;
  /** The plan's own label as printed, e.g. 资金支出计划（%）: what unit the publisher claims. */
  plan_header: string | null;
}

export interface GoalRow extends Provenance {
  project_seq: number;
  goal_seq: number;
  text: string;
}

export interface IndicatorRow extends Provenance {
  project_seq: number;
  indicator_seq: number;
  level1: string | null;
  level2: string | null;
  level3: string | null;
  description: string | null;
  /** The value as printed, after removing conversion artefacts only (see value_cleaning). */
  value_raw: string | null;
  /** What was stripped from the printed value, e.g. "leading-quote", "latex"; null if nothing. */
  value_cleaning: string | null;
  op: string | null;
  value_num: number | null;
  unit: string | null;
  value_kind: ValueKind;
  basis: string | null;
  /** True when level1 / level2 were empty in the source and carried down from the row above. */
  level1_carried: boolean;
  level2_carried: boolean;
  /** Extra columns some layouts have (分值, 指标性质, 度量单位, 评（扣）分标准 …). */
  weight: number | null;
  nature: string | null;
  measure_unit: string | null;
  scoring_rule: string | null;
  value_type: string | null;
  period_value: string | null;
  /** Any other column, header → text, JSON object; null when none. */
  extra: string | null;
  ocr_confidence: number | null;
}

export interface BudgetLineRow extends Provenance {
  table_kind: string;
  code: string | null;
  name: string | null;
  column_name: string;
  amount_wan: number | null;
}

export interface DutyRow extends Provenance {
  duty_seq: number;
  code: string | null;
  name: string | null;
  budget_wan: number | null;
  description: string | null;
  goal: string | null;
}

export interface DutyIndicatorRow extends Provenance {
  duty_seq: number;
  indicator_seq: number;
  name: string;
  /** Graded standards as printed, one per column, e.g. {"100%":"100%","90%":"90%",…}: JSON object. */
  grades: string | null;
  grade_labels: string | null;
}

/**
 * - `unrecognized_indicator_table`: a table classified `other` with 一级 / 二级 words or 指标值-like cells.
 * - `row_dropped`: a non-empty row inside an indicator table that gave no project, goal or indicator.
 * - `field_empty`: a field left empty (document metadata; an indicator's 一级 / 三级 / 指标值; a project's name).
 */
export type IssueReason = 'unrecognized_indicator_table' | 'row_dropped' | 'field_empty';

/** Something the transform did not understand (transform/issues.ts), loaded as `extraction_issues`. */
export interface ExtractionIssue extends Provenance {
  issue_seq: number;
  reason: IssueReason;
  /** What exactly: the row-drop cause, or the empty field (documents.year, indicators.level3 …). */
  detail: string | null;
  /** Rows the issue covers (a whole table: its row count). */
  n_rows: number | null;
  /** Evidence as printed: the table's title and sample cells, or the dropped row's cells. */
  evidence: string | null;
}

export interface NormalizedDoc {
  meta: DocumentMeta;
  tables: TableRowSummary[];
  projects: ProjectRow[];
  goals: GoalRow[];
  indicators: IndicatorRow[];
  budget_lines: BudgetLineRow[];
  duties: DutyRow[];
  duty_indicators: DutyIndicatorRow[];
  warnings: string[];
  /** What was not understood: see ExtractionIssue. */
  issues: ExtractionIssue[];
}

/**
 * What is known about a document from outside it: the source's config, and what the crawl saw on
 * the way to the file. The transform uses them only where the document itself is silent, and
 * records which source each metadata field came from.
 */
export interface DocumentHints {
  /** From the source's config entry. */
  region?: string | null;
  department?: string | null;
  year?: number | null;
  kind?: '预算' | '决算' | null;
  /** Text of the link that led to the file (e.g. 市教育局2026年部门预算公开). */
  linkText?: string | null;
  /** Title of the article (detail page) the link was found on. */
  articleTitle?: string | null;
  /** Name of the listing column it was found under (部门预算 / 部门决算 …). */
  column?: string | null;
  /** Publication date shown with the article, ISO yyyy-mm-dd. */
  publishedAt?: string | null;
  /** File name (Content-Disposition, else the URL's last segment), or the local path's base name. */
  filename?: string | null;
}
