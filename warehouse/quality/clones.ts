/**
 * Clone detection over project indicator sets → `clone_clusters`, `clone_members`.
 *
 * Everything runs inside DuckDB, in passes that are linear in the data or sort it (n log n):
 *  - every indicator becomes one normalized text (三级 | 描述 | 指标值, jx_norm) and one target
 *    (二级 = 指标值);
 *  - exact clones: projects with the same sorted multiset of texts (one hash per project, GROUP BY);
 *  - same targets: projects whose targets are identical slot by slot (e.g. nine times ≤100优) are
 *    candidates too, linked when their texts are at least weakly similar (targetsThreshold);
 *  - near clones: character 3-gram shingles of the distinct texts → one-permutation MinHash
 *    signature of K bins per project → LSH with B bands of R bins (a bucket per band key) →
 *    each bucket member is compared with the bucket's smallest member only (a star, so a bucket of
 *    m projects costs m comparisons, not m²) and linked when the estimated Jaccard ≥ threshold;
 *  - connected components of exact + near links by label propagation with pointer jumping.
 * Scope flags per cluster: within one document, across departments, across years (department
 * identity from document_departments, so run resolveDepartments first).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../db.ts';

export interface CloneOptions {
  /** Number of MinHash bins (signature length). */
  bins?: number;
  /** Bins per LSH band (bins / rowsPerBand bands). */
  rowsPerBand?: number;
  /** Estimated Jaccard similarity of shingle sets at or above which two projects are near clones. */
  threshold?: number;
  /** Weaker similarity that suffices when two projects have the same targets slot by slot (二级指标 = 指标值). */
  targetsThreshold?: number;
  /** Projects with fewer indicators are left out (a two-line set is too generic to call a clone). */
  minIndicators?: number;
  /** Shingle length in characters. */
  shingle?: number;
}

export interface CloneStats {
  projects: number;
  clusters: number;
  members: number;
  exactClusters: number;
  nearClusters: number;
  iterations: number;
}

export const CLONE_DEFAULTS: Required<CloneOptions> = { bins: 64, rowsPerBand: 4, threshold: 0.5, targetsThreshold: 0.2, minIndicators: 3, shingle: 3 };

export async function detectClones(conn: DuckDBConnection, options: CloneOptions = {}): Promise<CloneStats> {
  const o = { ...CLONE_DEFAULTS, ...options };
  const K = o.bins;
  const R = o.rowsPerBand;
  const run = (sql: string) => conn.run(sql);

  // 1. One text per indicator, projects with enough indicators, a dense integer id per project.
  await run(`CREATE OR REPLACE TEMP TABLE cl_ind AS
    SELECT doc_id, project_seq,
           jx_norm(level3) || '|' || jx_norm(description) || '|' || jx_norm(value_raw) AS t,
           jx_norm(level2) || '=' || jx_norm(value_raw) AS slot
    FROM indicators`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_proj AS
    SELECT row_number() OVER (ORDER BY doc_id, project_seq) AS pid, doc_id, project_seq, n, set_hash, target_hash
    FROM (SELECT doc_id, project_seq, count(*) AS n, hash(list(slot || '|' || t ORDER BY slot, t)) AS set_hash,
                 hash(list(slot ORDER BY slot)) AS target_hash
          FROM cl_ind GROUP BY doc_id, project_seq HAVING count(*) >= ${o.minIndicators})`);

  // 2. Shingles of the distinct texts, then of each project (a set: DISTINCT).
  await run(`CREATE OR REPLACE TEMP TABLE cl_txt AS
    SELECT t, hash(substr(t, i, ${o.shingle})) AS h
    FROM (SELECT t, unnest(range(1, greatest(length(t) - ${o.shingle} + 2, 2))) AS i FROM (SELECT DISTINCT t FROM cl_ind))`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_sh AS
    SELECT DISTINCT p.pid, x.h
    FROM cl_ind i JOIN cl_proj p USING (doc_id, project_seq) JOIN cl_txt x USING (t)`);

  // 3. One-permutation MinHash: bin = h mod K, value = min of a second hash within the bin.
  await run(`CREATE OR REPLACE TEMP TABLE cl_sig AS
    SELECT pid, CAST(h % ${K} AS INTEGER) AS bin, min(hash(h, 7)) AS v FROM cl_sh GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_nbins AS SELECT pid, count(*) AS nb FROM cl_sig GROUP BY pid`);

  // 4. LSH bands → buckets → star edges to the bucket's smallest member.
  await run(`CREATE OR REPLACE TEMP TABLE cl_band AS
    SELECT pid, bin // ${R} AS band, bit_xor(hash(bin, v)) AS key
    FROM cl_sig GROUP BY pid, bin // ${R}`);
  // Second candidate source: projects with the same targets slot by slot (二级指标 = 指标值 for
  // every indicator); these need only a weaker textual similarity (targetsThreshold).
  await run(`CREATE OR REPLACE TEMP TABLE cl_cand AS
    SELECT a, b, min(need) AS need FROM (
      SELECT pid AS a, min(pid) OVER (PARTITION BY band, key) AS b, ${o.threshold} AS need FROM cl_band
      UNION ALL
      SELECT pid AS a, min(pid) OVER (PARTITION BY target_hash, n) AS b, ${o.targetsThreshold} AS need FROM cl_proj)
    WHERE a <> b GROUP BY a, b`);
  // Verify candidates with the full signatures: common bins with equal values / bins of either.
  await run(`CREATE OR REPLACE TEMP TABLE cl_edge AS
    SELECT c.a, c.b, sim FROM (
      SELECT c.a, c.b, any_value(c.need) AS need, count(*) FILTER (WHERE sa.v = sb.v) / (any_value(na.nb) + any_value(nb.nb) - count(*)) AS sim
      FROM cl_cand c
      JOIN cl_sig sa ON sa.pid = c.a
      JOIN cl_sig sb ON sb.pid = c.b AND sb.bin = sa.bin
      JOIN cl_nbins na ON na.pid = c.a JOIN cl_nbins nb ON nb.pid = c.b
      GROUP BY c.a, c.b) c
    WHERE sim >= need
    UNION ALL
    SELECT pid AS a, min(pid) OVER (PARTITION BY set_hash, n) AS b, 1.0 AS sim FROM cl_proj`);
  await run(`DELETE FROM cl_edge WHERE a = b`);

  // 5. Connected components: label = min label over neighbours, then pointer jumping, until stable.
  await run(`CREATE OR REPLACE TEMP TABLE cl_e2 AS SELECT a, b FROM cl_edge UNION SELECT b, a FROM cl_edge`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_lab AS SELECT DISTINCT a AS pid, a AS lab FROM cl_e2`);
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    await run(`CREATE OR REPLACE TEMP TABLE cl_lab2 AS
      SELECT l.pid, least(l.lab, coalesce(m.lab, l.lab)) AS lab FROM cl_lab l
      LEFT JOIN (SELECT e.a AS pid, min(n.lab) AS lab FROM cl_e2 e JOIN cl_lab n ON n.pid = e.b GROUP BY e.a) m USING (pid)`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_lab2 AS
      SELECT l.pid, least(l.lab, j.lab) AS lab FROM cl_lab2 l JOIN cl_lab2 j ON j.pid = l.lab`);
    const [{ changed }] = await rows<{ changed: number }>(conn, `SELECT count(*) AS changed FROM cl_lab2 JOIN cl_lab USING (pid) WHERE cl_lab2.lab <> cl_lab.lab`);
    await run(`DROP TABLE cl_lab; ALTER TABLE cl_lab2 RENAME TO cl_lab`);
    if (!changed) break;
  }

  // 6. Members with their department and year, similarity to the cluster's representative.
  await run(`CREATE OR REPLACE TEMP TABLE cl_mem AS
    SELECT l.lab, p.pid, p.doc_id, p.project_seq, p.n, p.set_hash, dd.dept_id, d.year
    FROM cl_lab l JOIN cl_proj p USING (pid)
    LEFT JOIN documents d ON d.doc_id = p.doc_id
    LEFT JOIN document_departments dd ON dd.doc_id = p.doc_id`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_sim AS
    SELECT m.pid, CASE WHEN m.pid = m.lab THEN 1.0 ELSE count(*) FILTER (WHERE sa.v = sb.v) / (any_value(na.nb) + any_value(nb.nb) - count(sb.bin)) END AS sim
    FROM cl_mem m
    JOIN cl_sig sa ON sa.pid = m.pid
    LEFT JOIN cl_sig sb ON sb.pid = m.lab AND sb.bin = sa.bin
    JOIN cl_nbins na ON na.pid = m.pid JOIN cl_nbins nb ON nb.pid = m.lab
    GROUP BY m.pid, m.lab`);
  await run('BEGIN TRANSACTION');
  try {
    await run('DELETE FROM clone_members');
    await run('DELETE FROM clone_clusters');
    await run(`INSERT INTO clone_members
      SELECT 'C' || substr(md5(r.doc_id || ':' || r.project_seq), 1, 10) AS cluster_id, m.doc_id, m.project_seq, m.dept_id, m.year, round(s.sim, 3), m.n
      FROM cl_mem m JOIN cl_proj r ON r.pid = m.lab JOIN cl_sim s ON s.pid = m.pid`);
    await run(`INSERT INTO clone_clusters
      SELECT c.cluster_id,
             CASE WHEN count(DISTINCT p.set_hash) = 1 THEN 'exact' ELSE 'near' END,
             count(*), count(DISTINCT c.doc_id), count(DISTINCT c.dept_id), count(DISTINCT c.year),
             max(per_doc) >= 2, count(DISTINCT c.dept_id) >= 2, max(per_dept_years) >= 2,
             min(c.similarity), NULL
      FROM (SELECT *, count(*) OVER (PARTITION BY cluster_id, doc_id) AS per_doc,
                      count(DISTINCT year) OVER (PARTITION BY cluster_id, dept_id) AS per_dept_years
            FROM clone_members) c
      JOIN cl_proj p USING (doc_id, project_seq)
      GROUP BY c.cluster_id`);
    // Sample: the representative's indicator texts as printed.
    await run(`UPDATE clone_clusters SET sample = s.sample FROM (
      SELECT m.cluster_id, string_agg(coalesce(i.level3, '') || '：' || coalesce(i.value_raw, ''), '；' ORDER BY i.indicator_seq) AS sample
      FROM (SELECT cluster_id, min({'d': doc_id, 'p': project_seq}) AS rep FROM clone_members GROUP BY cluster_id) m
      JOIN indicators i ON i.doc_id = m.rep.d AND i.project_seq = m.rep.p AND i.indicator_seq <= 6
      GROUP BY m.cluster_id) s WHERE clone_clusters.cluster_id = s.cluster_id`);
    await run('COMMIT');
  } catch (e) {
    await run('ROLLBACK');
    throw e;
  }
  const [st] = await rows<{ projects: number; clusters: number; members: number; exact: number; near: number }>(
    conn,
    `SELECT (SELECT count(*) FROM cl_proj) AS projects, count(*) AS clusters, coalesce(sum(n_members), 0) AS members,
            count(*) FILTER (WHERE method = 'exact') AS exact, count(*) FILTER (WHERE method = 'near') AS near FROM clone_clusters`,
  );
  for (const t of ['cl_ind', 'cl_proj', 'cl_txt', 'cl_sh', 'cl_sig', 'cl_nbins', 'cl_band', 'cl_cand', 'cl_edge', 'cl_e2', 'cl_lab', 'cl_mem', 'cl_sim'])
    await run(`DROP TABLE IF EXISTS ${t}`);
  return { projects: st.projects, clusters: st.clusters, members: st.members, exactClusters: st.exact, nearClusters: st.near, iterations };
}
