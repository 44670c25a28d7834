/**
 * Scores per department-year from the findings of one run → `scores`, `score_deductions`,
 * `score_evidence`. Weights, what each dimension assesses and the no-targets rule come from
 * config/scorecard.yaml (documented there and in docs/quality.md).
 *
 * No score without evidence: a dimension is scored only when the department-year has something it
 * assesses (indicators, projects…); otherwise it is 不可评价 (score NULL, with the reason), and a
 * department-year with any such dimension has no total and is ranked apart.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CRITERIA } from './rules.ts';

export const SCORECARD_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'scorecard.yaml');

/** What a dimension can assess, with its Chinese name for reasons shown on scorecards. */
export const EVIDENCE_KINDS = { indicators: '绩效指标', projects: '项目', target_tables: '绩效目标表', documents: '文件' } as const;
type EvidenceKind = keyof typeof EVIDENCE_KINDS;
/** doc_tables.kind of the 绩效目标表 (project, department and duty target tables). */
export const TARGET_TABLE_KINDS = ['project_indicators', 'department_indicators', 'duty_indicators'];
/** Document statuses whose content could be read (others count as unreadable). */
const READABLE = `('ok', 'partial', 'low_confidence', 'no_tables')`;
/** Grade label of a department-year without a total. */
export const NOT_ASSESSABLE = '不可评价';

const ConfigSchema = z.object({
  dimensions: z.record(z.enum(CRITERIA), z.number().min(0)),
  evidence: z.record(z.enum(CRITERIA), z.array(z.enum(Object.keys(EVIDENCE_KINDS) as [EvidenceKind, ...EvidenceKind[]])).min(1)),
  no_targets: z.object({ rule: z.string().min(1), share: z.number().min(0).max(1) }).optional(),
  severity_factor: z.object({ error: z.number().min(0).max(1), warning: z.number().min(0).max(1), info: z.number().min(0).max(1) }),
  per_rule_cap: z.number().min(0).max(1),
  grades: z.array(z.object({ min: z.number(), label: z.string() })),
});
export type ScorecardConfig = z.infer<typeof ConfigSchema>;

export function loadScorecardConfig(path = SCORECARD_CONFIG): ScorecardConfig {
  if (!existsSync(path)) throw new Error(`scorecard config not found: ${path}`);
  const parsed = ConfigSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const c of CRITERIA) if (!(c in parsed.data.dimensions)) throw new Error(`${path}: missing weight for dimension ${c}`);
  for (const c of CRITERIA) if (!(c in parsed.data.evidence)) throw new Error(`${path}: missing evidence (what it assesses) for dimension ${c}`);
  return parsed.data;
}

export function gradeOf(score: number | null, cfg: ScorecardConfig): string {
  if (score == null) return NOT_ASSESSABLE;
  const g = [...cfg.grades].sort((a, b) => b.min - a.min).find((x) => score >= x.min);
  return g?.label ?? '';
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface DeptYear {
  dept_id: string;
  year: number | null;
}

/** Which department-years to score, and from which findings. */
export interface ScoreScope {
  /**
   * Only these department-years (a list, or the name of a table or view with columns dept_id,
   * year); their rows of the run are replaced and every other department-year's are left as they
   * are. Default: every department-year (the run's scores are rebuilt).
   */
  deptYears?: DeptYear[] | string;
  /** Table, view or parenthesized query with the findings columns to score from. Default: the run's rows of `findings`. */
  findings?: string;
}

async function fillScope(conn: DuckDBConnection, deptYears: DeptYear[] | string) {
  await conn.run('CREATE OR REPLACE TEMP TABLE sc_scope (dept_id VARCHAR, year INTEGER)');
  if (typeof deptYears === 'string') {
    await conn.run(`INSERT INTO sc_scope SELECT DISTINCT dept_id, year FROM ${deptYears}`);
    return;
  }
  for (let i = 0; i < deptYears.length; i += 1000) {
    const part = deptYears.slice(i, i + 1000);
    await conn.run(`INSERT INTO sc_scope VALUES ${part.map((d) => `(${lit(d.dept_id)}, ${d.year == null ? 'NULL' : Number(d.year)})`).join(', ')}`);
  }
}

/**
 * Compute scores of one run (findings must be in place, and document_departments built).
 * Returns the number of department-years scored (assessable or not).
 */
export async function computeScores(conn: DuckDBConnection, runId: string, cfg = loadScorecardConfig(), scope: ScoreScope = {}): Promise<number> {
  const run = lit(runId);
  const dims = Object.keys(cfg.dimensions) as (typeof CRITERIA)[number][];
  const has = (d: (typeof CRITERIA)[number], k: EvidenceKind) => (cfg.evidence[d].includes(k) ? 'true' : 'false');
  const weights = `(VALUES ${dims
    .map((d, i) => `(${lit(d)}, ${cfg.dimensions[d]}, ${i}, ${has(d, 'indicators')}, ${has(d, 'projects')}, ${has(d, 'target_tables')}, ${has(d, 'documents')}, ${lit(cfg.evidence[d].map((k) => EVIDENCE_KINDS[k]).join('或'))})`)
    .join(', ')}) w(dimension, weight, ord, ev_ind, ev_proj, ev_tt, ev_doc, needs)`;
  const sev = `(VALUES ('error', ${cfg.severity_factor.error}), ('warning', ${cfg.severity_factor.warning}), ('info', ${cfg.severity_factor.info})) s(severity, factor)`;
  const findings = scope.findings ?? `(SELECT * FROM findings WHERE run_id = ${run})`;
  const scoped = scope.deptYears !== undefined;
  if (scoped) await fillScope(conn, scope.deptYears!);
  const inScope = (a: string) => (scoped ? `EXISTS (SELECT 1 FROM sc_scope q WHERE q.dept_id = ${a}.dept_id AND q.year IS NOT DISTINCT FROM ${a}.year)` : 'true');
  const sameDy = (a: string, b: string) => `${a}.dept_id = ${b}.dept_id AND ${a}.year IS NOT DISTINCT FROM ${b}.year`;
  const nt = cfg.no_targets;
  if (nt) {
    const r = await conn.runAndReadAll(`SELECT count(*) FROM rules WHERE rule_id = ${lit(nt.rule)}`);
    if (!Number(r.getRows()[0][0])) throw new Error(`config/scorecard.yaml no_targets.rule: no rule ${nt.rule} in the catalog`);
  }
  for (const t of ['score_deductions', 'scores', 'score_evidence']) await conn.run(`DELETE FROM ${t} t WHERE t.run_id = ${run} AND ${inScope('t')}`);

  // Documents in scope and the department-years with their evidence counts.
  await conn.run(`CREATE OR REPLACE TEMP TABLE sc_docs AS
    SELECT dd.doc_id, dd.dept_id, dd.year, d.status, d.n_tables FROM document_departments dd JOIN documents d USING (doc_id) WHERE ${inScope('dd')}`);
  const onlyDocs = scoped ? 'WHERE doc_id IN (SELECT doc_id FROM sc_docs)' : '';
  const andDocs = scoped ? 'AND doc_id IN (SELECT doc_id FROM sc_docs)' : '';
  await conn.run(`CREATE OR REPLACE TEMP TABLE sc_dy AS
    SELECT s.dept_id, s.year, count(*) AS n_documents, count(*) FILTER (WHERE s.status NOT IN ${READABLE}) AS n_unreadable,
           sum(coalesce(tc.n, 0)) AS n_target_tables, sum(coalesce(pc.n, 0)) AS n_projects, sum(coalesce(ic.n, 0)) AS n_indicators
    FROM sc_docs s
    LEFT JOIN (SELECT doc_id, count(*) AS n FROM doc_tables WHERE kind IN (${TARGET_TABLE_KINDS.map(lit).join(', ')}) ${andDocs} GROUP BY doc_id) tc USING (doc_id)
    LEFT JOIN (SELECT doc_id, count(*) AS n FROM projects ${onlyDocs} GROUP BY doc_id) pc USING (doc_id)
    LEFT JOIN (SELECT doc_id, count(*) AS n FROM indicators ${onlyDocs} GROUP BY doc_id) ic USING (doc_id)
    -- A department-year is scored when it has a disclosure: a document with tables, or one that
    -- failed to open. Pages without any table (listings, notices) alone are not scored.
    GROUP BY s.dept_id, s.year
    HAVING count(*) FILTER (WHERE coalesce(s.n_tables, 0) > 0 OR s.status NOT IN ${READABLE}) > 0`);
  // Per department-year and dimension: is there anything to assess?
  await conn.run(`CREATE OR REPLACE TEMP TABLE sc_dim AS
    SELECT y.dept_id, y.year, w.dimension, w.weight, w.ord,
           (w.ev_ind AND y.n_indicators > 0) OR (w.ev_proj AND y.n_projects > 0) OR (w.ev_tt AND y.n_target_tables > 0) OR (w.ev_doc AND y.n_documents > 0) AS assessable,
           '无可评价的' || w.needs AS why
    FROM sc_dy y CROSS JOIN ${weights}`);
  await conn.run(`INSERT INTO score_evidence (run_id, dept_id, year, n_documents, n_unreadable, n_target_tables, n_projects, n_indicators, assessable, reason)
    SELECT ${run}, y.dept_id, y.year, y.n_documents, y.n_unreadable, y.n_target_tables, y.n_projects, y.n_indicators, a.ok,
           CASE WHEN a.ok THEN NULL
                WHEN y.n_unreadable = y.n_documents THEN '文件无法读取（' || y.n_documents || ' 份）'
                WHEN y.n_target_tables = 0 THEN '未公开绩效目标表（' || y.n_documents || ' 份文件均无项目或部门绩效目标表）'
                WHEN y.n_projects = 0 AND y.n_indicators = 0 THEN '有绩效目标表 ' || y.n_target_tables || ' 张，但未提取出项目或绩效指标'
                WHEN y.n_indicators = 0 THEN '项目 ' || y.n_projects || ' 个，均无绩效指标'
                ELSE '部分维度无可评价的内容' END
    FROM sc_dy y JOIN (SELECT dept_id, year, bool_and(assessable) AS ok FROM sc_dim GROUP BY ALL) a ON ${sameDy('a', 'y')}`);

  // Deductions: one row per rule that hit the department-year; the no-targets rule takes its
  // configured share of the dimension when no document of the department-year has a 绩效目标表.
  const noTargets = nt
    ? `UNION ALL
       SELECT ${run}, y.dept_id, y.year, r.criterion, r.rule_id, r.severity, coalesce(f.n_findings, 0), y.n_documents, y.n_documents, 1.0, w.weight * ${nt.share}
       FROM sc_dy y JOIN rules r ON r.rule_id = ${lit(nt.rule)} JOIN ${weights} ON w.dimension = r.criterion
       LEFT JOIN f ON f.rule_id = r.rule_id AND ${sameDy('f', 'y')}
       WHERE y.n_target_tables = 0`
    : '';
  const skipNt = nt ? `WHERE NOT (e.rule_id = ${lit(nt.rule)} AND e.n_target_tables = 0)` : '';
  await conn.run(`INSERT INTO score_deductions (run_id, dept_id, year, dimension, rule_id, severity, n_findings, n_entities, n_eligible, rate, deduction)
    WITH f AS (
      SELECT s.dept_id, s.year, f.rule_id, any_value(f.severity) AS severity, r.criterion AS dimension, r.entity,
             count(*) AS n_findings,
             count(DISTINCT CASE r.entity WHEN 'indicator' THEN f.doc_id || ':' || f.project_seq || ':' || f.indicator_seq
                                          WHEN 'project' THEN f.doc_id || ':' || f.project_seq ELSE f.doc_id END) AS n_entities
      FROM ${findings} f JOIN rules r USING (rule_id) JOIN sc_docs s USING (doc_id)
      GROUP BY s.dept_id, s.year, f.rule_id, r.criterion, r.entity),
    e AS (
      SELECT f.*, y.n_target_tables,
             greatest(1, CASE f.entity WHEN 'indicator' THEN y.n_indicators WHEN 'project' THEN y.n_projects ELSE y.n_documents END) AS n_eligible
      FROM f JOIN sc_dy y ON ${sameDy('f', 'y')})
    SELECT ${run}, e.dept_id, e.year, e.dimension, e.rule_id, e.severity, e.n_findings, e.n_entities, e.n_eligible,
           least(1.0, e.n_entities / e.n_eligible) AS rate,
           w.weight * least(${cfg.per_rule_cap}, s.factor * least(1.0, e.n_entities / e.n_eligible)) AS deduction
    FROM e JOIN ${weights} ON w.dimension = e.dimension JOIN ${sev} ON s.severity = e.severity
    ${skipNt}
    ${noTargets}`);
  await conn.run(`INSERT INTO scores (run_id, dept_id, year, dimension, weight, score, deduction, n_findings, assessable, reason)
    SELECT ${run}, m.dept_id, m.year, m.dimension, m.weight,
           CASE WHEN m.assessable THEN m.weight - least(m.weight, coalesce(sum(d.deduction), 0)) END,
           CASE WHEN m.assessable THEN least(m.weight, coalesce(sum(d.deduction), 0)) END,
           coalesce(sum(d.n_findings), 0), m.assessable, CASE WHEN NOT m.assessable THEN m.why END
    FROM sc_dim m
    LEFT JOIN score_deductions d ON d.run_id = ${run} AND ${sameDy('d', 'm')} AND d.dimension = m.dimension
    GROUP BY m.dept_id, m.year, m.dimension, m.weight, m.assessable, m.why`);
  await conn.run(`INSERT INTO scores (run_id, dept_id, year, dimension, weight, score, deduction, n_findings, assessable, reason)
    SELECT ${run}, s.dept_id, s.year, 'total', sum(s.weight),
           CASE WHEN e.assessable THEN round(sum(s.score), 2) END, CASE WHEN e.assessable THEN round(sum(s.deduction), 2) END,
           sum(s.n_findings), e.assessable,
           CASE WHEN NOT e.assessable THEN e.reason || '：' || string_agg(s.dimension, '、' ORDER BY m.ord) FILTER (WHERE NOT s.assessable) || ' 不可评价' END
    FROM scores s JOIN sc_dim m ON ${sameDy('m', 's')} AND m.dimension = s.dimension
    JOIN score_evidence e ON e.run_id = ${run} AND ${sameDy('e', 's')}
    WHERE s.run_id = ${run}
    GROUP BY s.dept_id, s.year, e.assessable, e.reason`);
  const r = await conn.runAndReadAll('SELECT count(*) FROM sc_dy');
  for (const t of ['sc_scope', 'sc_docs', 'sc_dim', 'sc_dy']) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  return Number(r.getRows()[0][0]);
}
