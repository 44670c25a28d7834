/**
 * Scores per department-year from the findings of one run → `scores`, `score_deductions`.
 * Weights come from config/scorecard.yaml (documented there and in docs/quality.md).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CRITERIA } from './rules.ts';

export const SCORECARD_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'scorecard.yaml');

const ConfigSchema = z.object({
  dimensions: z.record(z.enum(CRITERIA), z.number().min(0)),
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
  return parsed.data;
}

export function gradeOf(score: number, cfg: ScorecardConfig): string {
  const g = [...cfg.grades].sort((a, b) => b.min - a.min).find((x) => score >= x.min);
  return g?.label ?? '';
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Compute scores of one run from the current findings (current_findings; document_departments
 * built). With `keys` (a temp table of dept_id, year) only those department-years are computed:
 * an incremental check passes the department-years it touched and copies the others.
 */
export async function computeScores(conn: DuckDBConnection, runId: string, cfg = loadScorecardConfig(), keys?: string): Promise<number> {
  const weights = Object.entries(cfg.dimensions).map(([d, w]) => `(${lit(d)}, ${w})`).join(', ');
  const sev = `(VALUES ('error', ${cfg.severity_factor.error}), ('warning', ${cfg.severity_factor.warning}), ('info', ${cfg.severity_factor.info})) s(severity, factor)`;
  await conn.run('DELETE FROM score_deductions WHERE run_id = $1', [runId]);
  await conn.run('DELETE FROM scores WHERE run_id = $1', [runId]);
  // Department-years and their entity counts.
  await conn.run(`CREATE OR REPLACE TEMP TABLE sc_dy AS
    SELECT dd.dept_id, dd.year, count(*) AS n_documents, sum(coalesce(pc.n, 0)) AS n_projects, sum(coalesce(ic.n, 0)) AS n_indicators
    FROM document_departments dd
    JOIN documents d ON d.doc_id = dd.doc_id ${keys ? `SEMI JOIN ${keys} k ON k.dept_id = dd.dept_id AND k.year IS NOT DISTINCT FROM dd.year` : ''}
    LEFT JOIN (SELECT doc_id, count(*) AS n FROM projects GROUP BY doc_id) pc ON pc.doc_id = dd.doc_id
    LEFT JOIN (SELECT doc_id, count(*) AS n FROM indicators GROUP BY doc_id) ic ON ic.doc_id = dd.doc_id
    -- A department-year is scored when it has a disclosure: a document with tables, or one that
    -- failed to open. Pages without any table (listings, notices) alone are not scored.
    GROUP BY dd.dept_id, dd.year
    HAVING count(*) FILTER (WHERE coalesce(d.n_tables, 0) > 0 OR d.status NOT IN ('ok', 'partial', 'low_confidence', 'no_tables')) > 0`);
  await conn.run(`INSERT INTO score_deductions
    WITH f AS (
      SELECT dd.dept_id, dd.year, f.rule_id, any_value(f.severity) AS severity, r.criterion AS dimension, r.entity,
             count(*) AS n_findings,
             count(DISTINCT CASE r.entity WHEN 'indicator' THEN f.doc_id || ':' || f.project_seq || ':' || f.indicator_seq
                                          WHEN 'project' THEN f.doc_id || ':' || f.project_seq ELSE f.doc_id END) AS n_entities
      FROM current_findings f JOIN rules r USING (rule_id) JOIN document_departments dd USING (doc_id)
      ${keys ? `SEMI JOIN ${keys} k ON k.dept_id = dd.dept_id AND k.year IS NOT DISTINCT FROM dd.year` : ''}
      GROUP BY dd.dept_id, dd.year, f.rule_id, r.criterion, r.entity)
    SELECT ${lit(runId)}, f.dept_id, f.year, f.dimension, f.rule_id, f.severity, f.n_findings, f.n_entities,
           greatest(1, CASE f.entity WHEN 'indicator' THEN y.n_indicators WHEN 'project' THEN y.n_projects ELSE y.n_documents END) AS n_eligible,
           least(1.0, f.n_entities / greatest(1, CASE f.entity WHEN 'indicator' THEN y.n_indicators WHEN 'project' THEN y.n_projects ELSE y.n_documents END)) AS rate,
           w.weight * least(${cfg.per_rule_cap}, s.factor * least(1.0, f.n_entities / greatest(1, CASE f.entity WHEN 'indicator' THEN y.n_indicators WHEN 'project' THEN y.n_projects ELSE y.n_documents END))) AS deduction
    FROM f JOIN sc_dy y ON y.dept_id = f.dept_id AND y.year IS NOT DISTINCT FROM f.year
    JOIN (VALUES ${weights}) w(dimension, weight) ON w.dimension = f.dimension
    JOIN ${sev} ON s.severity = f.severity`);
  await conn.run(`INSERT INTO scores
    SELECT ${lit(runId)}, y.dept_id, y.year, w.dimension, w.weight,
           w.weight - least(w.weight, coalesce(sum(d.deduction), 0)), least(w.weight, coalesce(sum(d.deduction), 0)), coalesce(sum(d.n_findings), 0)
    FROM sc_dy y CROSS JOIN (VALUES ${weights}) w(dimension, weight)
    LEFT JOIN score_deductions d ON d.run_id = ${lit(runId)} AND d.dept_id = y.dept_id AND d.year IS NOT DISTINCT FROM y.year AND d.dimension = w.dimension
    GROUP BY y.dept_id, y.year, w.dimension, w.weight`);
  await conn.run(`INSERT INTO scores
    SELECT run_id, dept_id, year, 'total', sum(weight), round(sum(score), 2), round(sum(deduction), 2), sum(n_findings)
    FROM scores WHERE run_id = ${lit(runId)} GROUP BY run_id, dept_id, year`);
  await conn.run('DROP TABLE IF EXISTS sc_dy');
  const r = await conn.runAndReadAll(`SELECT count(*) FROM scores WHERE run_id = ${lit(runId)} AND dimension = 'total'`);
  return Number(r.getRows()[0][0]);
}
