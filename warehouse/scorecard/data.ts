/**
 * What a scorecard shows, read from the warehouse after `jixiao check`: one department-year's
 * score and sub-scores, every deduction with its offending cells (document, page, table, row),
 * the informational findings, the trend across the department's years, its clone clusters and
 * its year-over-year summary.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../db.ts';
import { gradeOf, loadScorecardConfig, type ScorecardConfig } from '../quality/scoring.ts';
import type { NamedDeptYear } from './names.ts';

export interface Filter {
  dept?: string;
  region?: string;
  year?: number;
}

export interface FindingCell {
  rule_id: string;
  message: string;
  doc_id: string;
  source: string | null;
  page: number | null;
  table_no: number | null;
  row_no: number | null;
  /** Line in the source for text documents (which have no pages). */
  line_no: number | null;
  project_seq: number | null;
  indicator_seq: number | null;
  project: string | null;
  level3: string | null;
  value_raw: string | null;
  evidence: string | null;
}

export interface Deduction {
  dimension: string;
  rule_id: string;
  title_zh: string;
  title_en: string;
  category: string;
  severity: string;
  reference: string;
  rationale: string;
  rationale_zh: string | null;
  heuristic: boolean;
  n_findings: number;
  n_entities: number;
  n_eligible: number;
  rate: number;
  deduction: number;
  findings: FindingCell[];
}

export interface DimensionScore {
  dimension: string;
  weight: number;
  /** null when the dimension is 不可评价 (nothing it assesses in this department-year). */
  score: number | null;
  deduction: number | null;
  n_findings: number;
  assessable: boolean;
  /** Why it is 不可评价 (Chinese), else null. */
  reason: string | null;
}

/** What the department-year had to assess (score_evidence). */
export interface Evidence {
  documents: number;
  unreadable: number;
  target_tables: number;
  projects: number;
  indicators: number;
}

export interface Scorecard {
  run_id: string;
  generated_at: string;
  dept_id: string;
  department: string;
  region: string | null;
  names: string[];
  year: number | null;
  documents: { doc_id: string; source: string | null; title: string | null; department: string | null; kind: string | null; format: string | null; pages: number | null; status: string }[];
  /** null when the department-year is 不可评价 (see `reason`). */
  total: number | null;
  grade: string;
  assessable: boolean;
  /** Why the department-year is 不可评价 (Chinese, e.g. 未公开绩效目标表…), else null. */
  reason: string | null;
  evidence: Evidence | null;
  dimensions: DimensionScore[];
  deductions: Deduction[];
  notes: Deduction[];
  trend: { year: number | null; dimension: string; score: number | null }[];
  clones: { cluster_id: string; method: string; n_members: number; n_departments: number; n_years: number; projects: string; sample: string | null }[];
  yoy: Record<string, unknown> | null;
  counts: { projects: number; indicators: number };
  weights: ScorecardConfig;
}

export interface ScorecardSummary {
  dept_id: string;
  department: string;
  region: string | null;
  year: number | null;
  total: number | null;
  grade: string;
  assessable: boolean;
  reason: string | null;
  dims: Record<string, number | null>;
  /** File name stem of its scorecard files (region-department-year). */
  file: string;
}

/** The run the scorecards describe: the latest check run. */
export async function latestRun(conn: DuckDBConnection): Promise<string | null> {
  const r = await rows<{ run_id: string }>(conn, `SELECT run_id FROM check_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC, run_id DESC LIMIT 1`);
  return r[0]?.run_id ?? null;
}

/** Department-years of a run that match the filter, with the region and department name their scorecard shows. */
export async function selectDepartmentYears(conn: DuckDBConnection, runId: string, f: Filter): Promise<NamedDeptYear[]> {
  const conds = [`s.run_id = $1`, `s.dimension = 'total'`];
  const params: (string | number)[] = [runId];
  if (f.dept) {
    params.push(f.dept);
    conds.push(`(d.dept_id = $${params.length} OR d.names LIKE '%' || $${params.length} || '%')`);
  }
  if (f.region) {
    params.push(f.region);
    conds.push(`coalesce(d.region, '') LIKE '%' || $${params.length} || '%'`);
  }
  if (f.year != null) {
    params.push(f.year);
    conds.push(`s.year = $${params.length}`);
  }
  return rows(
    conn,
    `SELECT s.dept_id, s.year, d.region,
            coalesce((SELECT arg_min(doc.department, doc.source) FROM document_departments dd JOIN documents doc USING (doc_id)
                      WHERE dd.dept_id = s.dept_id AND dd.year IS NOT DISTINCT FROM s.year AND coalesce(doc.department, '') <> ''), d.name, s.dept_id) AS department
     FROM scores s JOIN departments d USING (dept_id) WHERE ${conds.join(' AND ')} ORDER BY d.region, d.name, s.year, s.dept_id`,
    params,
  );
}

const MAX_CELLS_PER_RULE = 200;

export async function loadScorecard(conn: DuckDBConnection, runId: string, deptId: string, year: number | null, cfg = loadScorecardConfig()): Promise<Scorecard> {
  const yearCond = (col: string) => (year == null ? `${col} IS NULL` : `${col} = ${Number(year)}`);
  const [dept] = await rows<{ dept_id: string; name: string; region: string | null; names: string }>(conn, `SELECT dept_id, name, region, names FROM departments WHERE dept_id = $1`, [deptId]);
  if (!dept) throw new Error(`unknown department ${deptId}`);
  const documents = await rows<Scorecard['documents'][number]>(
    conn,
    `SELECT d.doc_id, d.source, d.title, d.department, d.kind, d.format, d.pages, d.status FROM document_departments dd JOIN documents d USING (doc_id)
     WHERE dd.dept_id = $1 AND ${yearCond('dd.year')} ORDER BY d.source`,
    [deptId],
  );
  const dims = await rows<DimensionScore>(
    conn,
    `SELECT dimension, weight, score, deduction, n_findings, coalesce(assessable, score IS NOT NULL) AS assessable, reason FROM scores WHERE run_id = $1 AND dept_id = $2 AND ${yearCond('year')}`,
    [runId, deptId],
  );
  const order = Object.keys(cfg.dimensions);
  const total = dims.find((d) => d.dimension === 'total');
  const dimensions = dims.filter((d) => d.dimension !== 'total').sort((a, b) => order.indexOf(a.dimension) - order.indexOf(b.dimension));
  const sd = await rows<Omit<Deduction, 'findings'>>(
    conn,
    `SELECT s.dimension, s.rule_id, r.title_zh, r.title_en, r.category, s.severity, r.reference, r.rationale, r.rationale_zh, r.heuristic,
            s.n_findings, s.n_entities, s.n_eligible, s.rate, s.deduction
     FROM score_deductions s JOIN rules r USING (rule_id)
     WHERE s.run_id = $1 AND s.dept_id = $2 AND ${yearCond('s.year')}
     ORDER BY s.deduction DESC, s.n_findings DESC, s.rule_id`,
    [runId, deptId],
  );
  // The latest run's findings are the current ones (current_findings; `findings` of an incremental
  // run only holds what it re-checked); an older run shows its own.
  const cells = await rows<FindingCell & { rn: number }>(
    conn,
    `SELECT * FROM (
       SELECT f.rule_id, f.message, f.doc_id, d.source, coalesce(f.page, i.page, p.page) AS page, coalesce(f.table_no, i.table_no, p.table_no) AS table_no,
              coalesce(f.row_no, i.row_no, p.row_no) AS row_no, coalesce(i.line_no, p.line_no) AS line_no, f.project_seq, f.indicator_seq, p.name AS project, i.level3, i.value_raw, f.evidence,
              row_number() OVER (PARTITION BY f.rule_id ORDER BY d.source, f.project_seq, f.indicator_seq) AS rn
       FROM (SELECT * FROM current_findings WHERE $1 = (SELECT run_id FROM check_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC, run_id DESC LIMIT 1)
             UNION ALL SELECT * FROM findings WHERE run_id = $1 AND $1 <> (SELECT run_id FROM check_runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC, run_id DESC LIMIT 1)) f
       JOIN document_departments dd ON dd.doc_id = f.doc_id
       JOIN documents d ON d.doc_id = f.doc_id
       LEFT JOIN projects p ON p.doc_id = f.doc_id AND p.project_seq = f.project_seq
       LEFT JOIN indicators i ON i.doc_id = f.doc_id AND i.project_seq = f.project_seq AND i.indicator_seq = f.indicator_seq
       WHERE dd.dept_id = $2 AND ${yearCond('dd.year')})
     WHERE rn <= ${MAX_CELLS_PER_RULE} ORDER BY rule_id, rn`,
    [runId, deptId],
  );
  const byRule = new Map<string, FindingCell[]>();
  for (const { rn: _rn, ...c } of cells) {
    let l = byRule.get(c.rule_id);
    if (!l) byRule.set(c.rule_id, (l = []));
    l.push(c);
  }
  const all = sd.map((d) => ({ ...d, findings: byRule.get(d.rule_id) ?? [] }));
  const trend = await rows<Scorecard['trend'][number]>(
    conn,
    `SELECT year, dimension, score FROM scores WHERE run_id = $1 AND dept_id = $2 ORDER BY year, dimension`,
    [runId, deptId],
  );
  const clones = await rows<Scorecard['clones'][number]>(
    conn,
    `SELECT c.cluster_id, c.method, c.n_members, c.n_departments, c.n_years,
            string_agg(DISTINCT coalesce(p.name, '#' || m.project_seq), '、') AS projects, any_value(c.sample) AS sample
     FROM clone_members m JOIN clone_clusters c USING (cluster_id)
     JOIN document_departments dd ON dd.doc_id = m.doc_id
     LEFT JOIN projects p ON p.doc_id = m.doc_id AND p.project_seq = m.project_seq
     WHERE dd.dept_id = $1 AND ${yearCond('dd.year')}
     GROUP BY c.cluster_id, c.method, c.n_members, c.n_departments, c.n_years ORDER BY c.n_members DESC`,
    [deptId],
  );
  const [yoy] = await rows<Record<string, unknown>>(conn, `SELECT * FROM yoy_departments WHERE dept_id = $1 AND ${yearCond('year')}`, [deptId]);
  const [counts] = await rows<{ projects: number; indicators: number }>(
    conn,
    `SELECT (SELECT count(*) FROM projects p JOIN document_departments dd USING (doc_id) WHERE dd.dept_id = $1 AND ${yearCond('dd.year')}) AS projects,
            (SELECT count(*) FROM indicators i JOIN document_departments dd USING (doc_id) WHERE dd.dept_id = $1 AND ${yearCond('dd.year')}) AS indicators`,
    [deptId],
  );
  const [ev] = await rows<Evidence>(
    conn,
    `SELECT n_documents AS documents, n_unreadable AS unreadable, n_target_tables AS target_tables, n_projects AS projects, n_indicators AS indicators
     FROM score_evidence WHERE run_id = $1 AND dept_id = $2 AND ${yearCond('year')}`,
    [runId, deptId],
  );
  const assessable = !!total?.assessable && total.score != null;
  const totalScore = assessable ? total!.score : null;
  return {
    run_id: runId,
    generated_at: new Date().toISOString(),
    dept_id: deptId,
    department: documents.find((d) => d.department)?.department ?? dept.name,
    region: dept.region,
    names: JSON.parse(dept.names ?? '[]'),
    year,
    documents,
    total: totalScore,
    grade: gradeOf(totalScore, cfg),
    assessable,
    reason: assessable ? null : (total?.reason ?? '无评分记录'),
    evidence: ev ?? null,
    dimensions,
    deductions: all.filter((d) => d.deduction > 0),
    notes: all.filter((d) => !(d.deduction > 0)),
    trend,
    clones,
    yoy: yoy ?? null,
    counts,
    weights: cfg,
  };
}
