/**
 * Year-over-year tables → `yoy_projects`, `yoy_indicators` (and the view `yoy_departments`).
 *
 * For each document, the previous year of the same department (document_departments, so renames
 * are followed) is the latest earlier year that has a document. Projects are matched one-to-one
 * between the two documents by mutual best score: same project code (1.0), same normalized name
 * (0.99), else bigram Dice of the names (≥ nameThreshold). Indicators of matched projects are matched
 * by their normalized 三级指标 (or description when there is none), in order of appearance.
 *
 * `change` of an indicator compares the target's ambition: for ≥ / = / unmarked targets a larger
 * number is `raised`; for ceilings (≤, <: costs, time limits) a smaller number is `raised`.
 * Text targets are `unchanged` when the normalized text is the same, else `changed_text`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../db.ts';

export async function buildYoy(
  conn: DuckDBConnection,
  opts: { nameThreshold?: number; /** Temp table (dept_id) of departments to rebuild; absent: all. */ depts?: string } = {},
): Promise<{ pairs: number; projects: number; matched: number; indicators: number }> {
  const th = opts.nameThreshold ?? 0.5;
  const inDepts = opts.depts ? `dd.dept_id IN (SELECT dept_id FROM ${opts.depts})` : 'true';
  const run = (sql: string) => conn.run(sql);
  // Document pairs: each document and the department's best document of the latest earlier year.
  await run(`CREATE OR REPLACE TEMP TABLE yy_docs AS
    SELECT dd.doc_id, dd.dept_id, dd.year, coalesce(d.n_projects, 0) AS n_projects
    FROM document_departments dd JOIN documents d USING (doc_id)
    WHERE dd.year IS NOT NULL AND d.status IN ('ok', 'partial', 'low_confidence') AND ${inDepts}`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_pair AS
    SELECT c.doc_id, c.dept_id, c.year, p.prev_year, p.prev_doc_id FROM yy_docs c
    JOIN (SELECT c.doc_id, max(o.year) AS prev_year, arg_max(o.doc_id, o.year * 100000 + o.n_projects) AS prev_doc_id
          FROM yy_docs c JOIN yy_docs o ON o.dept_id = c.dept_id AND o.year < c.year GROUP BY c.doc_id) p USING (doc_id)`);
  // Project candidates: same code, or names sharing character bigrams (an inverted index joined
  // per document pair, so only pairs with something in common are scored). Score: same code 1.0,
  // same name 0.99, else the Dice coefficient of the names' bigram sets.
  await run(`CREATE OR REPLACE TEMP TABLE yy_pn AS
    SELECT p.doc_id, p.project_seq, jx_norm(p.code) AS c, jx_norm(p.name) AS n
    FROM projects p SEMI JOIN (SELECT doc_id FROM yy_pair UNION SELECT prev_doc_id FROM yy_pair) x ON x.doc_id = p.doc_id
    WHERE p.scope = 'project'`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_bg AS
    SELECT DISTINCT doc_id, project_seq, substr(n, i, 2) AS bg
    FROM (SELECT doc_id, project_seq, n, unnest(range(1, greatest(length(n), 2))) AS i FROM yy_pn WHERE n <> '')`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_nb AS SELECT doc_id, project_seq, count(*) AS nb FROM yy_bg GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_sh AS
    SELECT y.doc_id, a.project_seq, y.prev_doc_id, b.project_seq AS prev_project_seq, count(*) AS inter
    FROM yy_pair y JOIN yy_bg a ON a.doc_id = y.doc_id JOIN yy_bg b ON b.doc_id = y.prev_doc_id AND b.bg = a.bg
    GROUP BY ALL`);
  await run(`INSERT INTO yy_sh
    SELECT y.doc_id, a.project_seq, y.prev_doc_id, b.project_seq, 0
    FROM yy_pair y JOIN yy_pn a ON a.doc_id = y.doc_id JOIN yy_pn b ON b.doc_id = y.prev_doc_id AND b.c = a.c AND a.c <> ''`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_cand AS
    SELECT p.doc_id, p.project_seq, p.prev_doc_id, p.prev_project_seq,
           CASE WHEN a.c <> '' AND a.c = b.c THEN 1.0 WHEN a.n <> '' AND a.n = b.n THEN 0.99
                ELSE 2.0 * p.inter / (coalesce(na.nb, 0) + coalesce(nb.nb, 0) + 1e-9) END AS score,
           CASE WHEN a.c <> '' AND a.c = b.c THEN 'code' WHEN a.n <> '' AND a.n = b.n THEN 'name' ELSE 'fuzzy' END AS method,
           CASE WHEN a.n = b.n AND a.n <> '' THEN 1.0 ELSE 2.0 * p.inter / (coalesce(na.nb, 0) + coalesce(nb.nb, 0) + 1e-9) END AS name_similarity
    FROM (SELECT doc_id, project_seq, prev_doc_id, prev_project_seq, max(inter) AS inter FROM yy_sh GROUP BY ALL) p
    JOIN yy_pn a ON a.doc_id = p.doc_id AND a.project_seq = p.project_seq
    JOIN yy_pn b ON b.doc_id = p.prev_doc_id AND b.project_seq = p.prev_project_seq
    LEFT JOIN yy_nb na ON na.doc_id = p.doc_id AND na.project_seq = p.project_seq
    LEFT JOIN yy_nb nb ON nb.doc_id = p.prev_doc_id AND nb.project_seq = p.prev_project_seq`);
  await run(`CREATE OR REPLACE TEMP TABLE yy_match AS
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY doc_id, project_seq ORDER BY score DESC, prev_project_seq) AS r1,
                row_number() OVER (PARTITION BY prev_doc_id, prev_project_seq, doc_id ORDER BY score DESC, project_seq) AS r2
      FROM yy_cand WHERE score >= ${th})
    WHERE r1 = 1 AND r2 = 1`);
  // Indicators of matched projects, matched by key and occurrence.
  await run(`CREATE OR REPLACE TEMP TABLE yy_ind AS
    SELECT *, row_number() OVER (PARTITION BY doc_id, project_seq, k ORDER BY indicator_seq) AS occ
    FROM (SELECT i.doc_id, i.project_seq, i.indicator_seq, i.level3, i.description, i.value_raw, i.value_num, i.op,
                 coalesce(nullif(jx_norm(i.level3), ''), jx_norm(i.description)) AS k,
                 jx_norm(i.level2) || '|' || jx_norm(i.level3) || '|' || jx_norm(i.description) || '|' || jx_norm(i.value_raw) AS t
          FROM indicators i SEMI JOIN (SELECT doc_id FROM yy_pair UNION SELECT prev_doc_id FROM yy_pair) x ON x.doc_id = i.doc_id)`);
  await run('BEGIN TRANSACTION');
  try {
    const only = opts.depts ? ` WHERE dept_id IN (SELECT dept_id FROM ${opts.depts})` : '';
    await run(`DELETE FROM yoy_indicators${only}`);
    await run(`DELETE FROM yoy_projects${only}`);
    await run(`INSERT INTO yoy_indicators
      SELECT y.dept_id, y.year, y.prev_year, m.doc_id, m.project_seq, c.indicator_seq, m.prev_doc_id, m.prev_project_seq, p.indicator_seq,
             coalesce(c.level3, c.description, p.level3, p.description), c.value_raw, p.value_raw, c.value_num, p.value_num,
             CASE WHEN p.indicator_seq IS NULL THEN 'added'
                  WHEN c.value_num IS NOT NULL AND p.value_num IS NOT NULL THEN
                    CASE WHEN c.value_num = p.value_num THEN 'unchanged'
                         WHEN (c.value_num > p.value_num) = (coalesce(c.op, p.op, '') NOT IN ('≤', '<', '<=', '≦')) THEN 'raised'
                         ELSE 'lowered' END
                  WHEN jx_norm(c.value_raw) = jx_norm(p.value_raw) THEN 'unchanged'
                  ELSE 'changed_text' END
      FROM yy_match m
      JOIN yy_pair y ON y.doc_id = m.doc_id
      JOIN yy_ind c ON c.doc_id = m.doc_id AND c.project_seq = m.project_seq
      LEFT JOIN yy_ind p ON p.doc_id = m.prev_doc_id AND p.project_seq = m.prev_project_seq AND p.k = c.k AND p.occ = c.occ`);
    // Dropped indicators: those of the previous project with no counterpart.
    await run(`INSERT INTO yoy_indicators
      SELECT y.dept_id, y.year, y.prev_year, m.doc_id, m.project_seq, NULL, m.prev_doc_id, m.prev_project_seq, p.indicator_seq,
             coalesce(p.level3, p.description), NULL, p.value_raw, NULL, p.value_num, 'dropped'
      FROM yy_match m JOIN yy_pair y ON y.doc_id = m.doc_id
      JOIN yy_ind p ON p.doc_id = m.prev_doc_id AND p.project_seq = m.prev_project_seq
      ANTI JOIN yy_ind c ON c.doc_id = m.doc_id AND c.project_seq = m.project_seq AND c.k = p.k AND c.occ = p.occ`);
    await run(`INSERT INTO yoy_projects
      WITH sets AS (SELECT doc_id, project_seq, count(*) AS n, hash(list(t ORDER BY t)) AS h FROM yy_ind GROUP BY ALL),
      chg AS (
        SELECT doc_id, project_seq,
               count(*) FILTER (WHERE change = 'added') AS n_added, count(*) FILTER (WHERE change = 'dropped') AS n_dropped,
               count(*) FILTER (WHERE change = 'raised') AS n_raised, count(*) FILTER (WHERE change = 'lowered') AS n_lowered,
               count(*) FILTER (WHERE change = 'unchanged') AS n_unchanged
        FROM yoy_indicators${only} GROUP BY ALL)
      SELECT y.dept_id, y.year, y.prev_year, c.doc_id, c.project_seq, m.prev_doc_id, m.prev_project_seq, m.method, m.name_similarity,
             c.name, p.name, c.budget_wan, p.budget_wan, c.budget_wan - p.budget_wan,
             CASE WHEN p.budget_wan > 0 THEN 100.0 * (c.budget_wan - p.budget_wan) / p.budget_wan END,
             coalesce(m.doc_id IS NOT NULL AND sc.h = sp.h AND sc.n = sp.n, false),
             coalesce(sc.n, 0), coalesce(chg.n_added, 0), coalesce(chg.n_dropped, 0), coalesce(chg.n_raised, 0), coalesce(chg.n_lowered, 0), coalesce(chg.n_unchanged, 0)
      FROM yy_pair y
      JOIN projects c ON c.doc_id = y.doc_id AND c.scope = 'project'
      LEFT JOIN yy_match m ON m.doc_id = c.doc_id AND m.project_seq = c.project_seq
      LEFT JOIN projects p ON p.doc_id = m.prev_doc_id AND p.project_seq = m.prev_project_seq
      LEFT JOIN sets sc ON sc.doc_id = c.doc_id AND sc.project_seq = c.project_seq
      LEFT JOIN sets sp ON sp.doc_id = m.prev_doc_id AND sp.project_seq = m.prev_project_seq
      LEFT JOIN chg ON chg.doc_id = c.doc_id AND chg.project_seq = c.project_seq`);
    await run('COMMIT');
  } catch (e) {
    await run('ROLLBACK');
    throw e;
  }
  const [st] = await rows<{ pairs: number; projects: number; matched: number; indicators: number }>(
    conn,
    `SELECT (SELECT count(*) FROM yy_pair) AS pairs, count(*) AS projects, count(prev_project_seq) AS matched, (SELECT count(*) FROM yoy_indicators) AS indicators FROM yoy_projects`,
  );
  for (const t of ['yy_docs', 'yy_pair', 'yy_pn', 'yy_bg', 'yy_nb', 'yy_sh', 'yy_cand', 'yy_match', 'yy_ind']) await run(`DROP TABLE IF EXISTS ${t}`);
  return st;
}
