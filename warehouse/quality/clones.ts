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
 *
 * The index is persistent (migration 070): clone_projects (set hashes, component label),
 * clone_signatures, clone_buckets (LSH bands, same-targets and exact-set buckets) and clone_edges
 * (verified links, kept per bucket). A project id is hash(doc_id, project_seq), so the index does
 * not depend on load order and an incremental update gives the same clusters as a rebuild:
 * projects of changed documents leave the index, new ones enter it, only the buckets they touch
 * are re-linked, and only the components those links touch are re-labelled (merged or split).
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

/** What an incremental update covers (temp tables with a doc_id column). */
export interface CloneScope {
  /** Documents whose projects leave and re-enter the index: new, re-ingested and removed ones. Absent: rebuild everything. */
  docs?: string;
  /** Documents whose department or year changed: the flags of their clusters are recomputed. */
  deptDocs?: string;
}

export interface CloneStats {
  /** Projects in the index. */
  projects: number;
  /** Projects (re)indexed by this run. */
  indexed: number;
  /** Projects whose component label was recomputed. */
  relabelled: number;
  clusters: number;
  members: number;
  exactClusters: number;
  nearClusters: number;
  iterations: number;
}

/** Version of the clone index's contents (set hashes, signatures): a change makes the next check full. */
export const CLONE_INDEX_VERSION = 2;

export const CLONE_DEFAULTS: Required<CloneOptions> = { bins: 64, rowsPerBand: 4, threshold: 0.5, targetsThreshold: 0.2, minIndicators: 3, shingle: 3 };

export async function detectClones(conn: DuckDBConnection, options: CloneOptions = {}, scope: CloneScope = {}): Promise<CloneStats> {
  const o = { ...CLONE_DEFAULTS, ...options };
  const K = o.bins;
  const R = o.rowsPerBand;
  const full = !scope.docs;
  const trace = process.env.JIXIAO_TRACE_SQL === '1';
  const run = async (sql: string) => {
    const t0 = performance.now();
    const r = await conn.run(sql);
    if (trace) console.error(`  [clones ${((performance.now() - t0) / 1000).toFixed(2)} s] ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
    return r;
  };
  const inDocs = (col: string) => (full ? 'true' : `${col} IN (SELECT doc_id FROM ${scope.docs})`);

  // Documents whose clone_members rows change (the rules re-check them).
  await run(`CREATE OR REPLACE TEMP TABLE cl_changed_docs (doc_id VARCHAR)`);
  if (full) {
    for (const t of ['clone_edges', 'clone_buckets', 'clone_signatures', 'clone_projects']) await run(`DELETE FROM ${t}`);
  }

  // 1. One text per indicator of the documents to index, projects with enough indicators. A
  //    project's set and targets are hashed as multisets: the sum of the items' 64-bit hashes
  //    (order-free, so no sorted list per project; equal sums of different sets are as unlikely
  //    as a hash collision).
  await run(`CREATE OR REPLACE TEMP TABLE cl_ind AS
    SELECT *, hash(t) AS th FROM (
      SELECT hash(doc_id, project_seq) AS pid, doc_id, project_seq,
             jx_norm(level3) || '|' || jx_norm(description) || '|' || nv AS t, jx_norm(level2) || '=' || nv AS slot
      FROM (SELECT *, jx_norm(value_raw) AS nv FROM indicators WHERE ${inDocs('doc_id')}))`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_new AS
    SELECT pid, any_value(doc_id) AS doc_id, any_value(project_seq) AS project_seq, count(*) AS n,
           hash(sum(hash(slot, t))) AS set_hash, hash(sum(hash(slot))) AS target_hash
    FROM cl_ind GROUP BY pid HAVING count(*) >= ${o.minIndicators}`);

  // 2. MinHash per distinct text (texts repeat a lot), then per project the minimum per bin.
  //    A text is keyed by its 64-bit hash (th) from here on: joins and groups on a number, not a string.
  await run(`CREATE OR REPLACE TEMP TABLE cl_tsig AS
    SELECT th, CAST(h % ${K} AS SMALLINT) AS bin, min(hash(h, 7)) AS v
    FROM (SELECT th, hash(substr(t, i, ${o.shingle})) AS h
          FROM (SELECT th, t, unnest(range(1, greatest(length(t) - ${o.shingle} + 2, 2))) AS i FROM (SELECT DISTINCT ON (th) th, t FROM cl_ind)))
    GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_nsig AS
    SELECT i.pid, x.bin, min(x.v) AS v FROM (SELECT DISTINCT pid, th FROM cl_ind SEMI JOIN cl_new USING (pid)) i JOIN cl_tsig x ON x.th = i.th GROUP BY ALL`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_nbk AS
    SELECT hash(band, key) AS bucket, 'band' AS kind, pid FROM (
      SELECT pid, bin // ${R} AS band, bit_xor(hash(bin, v)) AS key FROM cl_nsig GROUP BY pid, bin // ${R})
    UNION ALL SELECT hash('t', target_hash, n), 'targets', pid FROM cl_new
    UNION ALL SELECT hash('x', set_hash, n), 'exact', pid FROM cl_new`);

  // 3. Leaving projects; affected buckets; the links and labels they had.
  await run(`CREATE OR REPLACE TEMP TABLE cl_gone AS SELECT pid, lab FROM clone_projects WHERE ${full ? 'false' : inDocs('doc_id')}`);
  // (A rebuild starts from an empty index: no bucket is affected, nothing is re-starred.)
  await run(`CREATE OR REPLACE TEMP TABLE cl_abk AS
    ${full ? 'SELECT bucket FROM cl_nbk LIMIT 0' : 'SELECT DISTINCT bucket FROM (SELECT bucket FROM cl_nbk UNION ALL SELECT bucket FROM clone_buckets b SEMI JOIN cl_gone g ON g.pid = b.pid)'}`);
  // A bucket keeps its star when its smallest pid (the centre) stays and was not re-indexed: then
  // only links of leaving members go and only arriving members are verified (a pair's similarity
  // depends on its two signatures alone). Otherwise the bucket is re-starred.
  if (full) await run(`CREATE OR REPLACE TEMP TABLE cl_rs AS SELECT bucket FROM cl_abk`);
  else await run(`CREATE OR REPLACE TEMP TABLE cl_rs AS
    SELECT bucket FROM (
      SELECT o.bucket, o.c AS old_c, n.c AS new_c FROM
        (SELECT b.bucket, min(b.pid) AS c FROM clone_buckets b SEMI JOIN cl_abk k ON k.bucket = b.bucket GROUP BY b.bucket) o
        FULL OUTER JOIN (SELECT bucket, min(pid) AS c FROM (
            SELECT b.bucket, b.pid FROM clone_buckets b SEMI JOIN cl_abk k ON k.bucket = b.bucket ANTI JOIN cl_gone g ON g.pid = b.pid
            UNION ALL SELECT bucket, pid FROM cl_nbk) GROUP BY bucket) n ON n.bucket = o.bucket)
    WHERE old_c IS DISTINCT FROM new_c OR old_c IN (SELECT pid FROM cl_gone)`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_dead AS
    SELECT e.bucket, e.a, e.b FROM clone_edges e SEMI JOIN cl_abk k ON k.bucket = e.bucket
    WHERE e.bucket IN (SELECT bucket FROM cl_rs) OR e.a IN (SELECT pid FROM cl_gone)`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_aff AS
    SELECT pid FROM cl_gone UNION SELECT a FROM cl_dead UNION SELECT b FROM cl_dead`);
  await run(`CREATE OR REPLACE TEMP TABLE cl_afflab AS
    SELECT lab FROM cl_gone WHERE lab IS NOT NULL UNION SELECT p.lab FROM clone_projects p SEMI JOIN cl_aff a ON a.pid = p.pid WHERE p.lab IS NOT NULL`);

  await run('BEGIN TRANSACTION');
  try {
    // 4. Update the index: out with the leaving projects, in with the new ones, re-link affected buckets.
    if (!full) {
      await run(`DELETE FROM clone_edges WHERE (bucket, a) IN (SELECT (bucket, a) FROM cl_dead)`);
      for (const t of ['clone_buckets', 'clone_signatures', 'clone_projects']) await run(`DELETE FROM ${t} WHERE pid IN (SELECT pid FROM cl_gone)`);
    }
    await run(`INSERT INTO clone_projects SELECT n.pid, n.doc_id, n.project_seq, n.n, n.set_hash, n.target_hash, s.nb, NULL
      FROM cl_new n JOIN (SELECT pid, count(*) AS nb FROM cl_nsig GROUP BY pid) s USING (pid)`);
    await run(`INSERT INTO clone_signatures SELECT pid, bin, v FROM cl_nsig`);
    await run(`INSERT INTO clone_buckets SELECT bucket, kind, pid FROM cl_nbk`);
    // Stars: each member of a re-starred bucket (each arriving member of a kept one) against the bucket's smallest pid.
    await run(`CREATE OR REPLACE TEMP TABLE cl_cand AS
      SELECT bucket, kind, a, b FROM (
        SELECT b.bucket, b.kind, b.pid AS a, min(b.pid) OVER (PARTITION BY b.bucket) AS b
        FROM clone_buckets b ${full ? '' : 'SEMI JOIN cl_abk k ON k.bucket = b.bucket'})
      WHERE a <> b ${full ? '' : 'AND (bucket IN (SELECT bucket FROM cl_rs) OR a IN (SELECT pid FROM cl_new))'}`);
    // Verify each distinct pair once with the full signatures: equal bins / bins of either.
    // Two statements, so the optimizer cannot join the two signature sides on bin first (64 values: a near cross product).
    await run(`CREATE OR REPLACE TEMP TABLE cl_pa AS
      SELECT c.a, c.b, s.bin, s.v FROM (SELECT DISTINCT a, b FROM cl_cand WHERE kind <> 'exact') c JOIN clone_signatures s ON s.pid = c.a`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_pair AS
      SELECT m.a, m.b, m.eq / (na.n_bins + nb.n_bins - m.common) AS sim
      FROM (SELECT p.a, p.b, count(*) AS common, count(*) FILTER (WHERE p.v = s.v) AS eq
            FROM cl_pa p JOIN clone_signatures s ON s.pid = p.b AND s.bin = p.bin GROUP BY p.a, p.b) m
      JOIN clone_projects na ON na.pid = m.a JOIN clone_projects nb ON nb.pid = m.b`);
    await run(`INSERT INTO clone_edges
      SELECT c.bucket, c.a, c.b, CASE WHEN c.kind = 'exact' THEN 1.0 ELSE p.sim END
      FROM cl_cand c LEFT JOIN cl_pair p ON p.a = c.a AND p.b = c.b
      WHERE c.kind = 'exact' OR p.sim >= CASE c.kind WHEN 'band' THEN ${o.threshold} ELSE ${o.targetsThreshold} END`);

    // 5. Components touched: old components of every affected or newly linked project, re-labelled
    //    by label propagation with pointer jumping over their links (merges and splits alike).
    await run(`INSERT INTO cl_afflab SELECT p.lab FROM clone_projects p
      SEMI JOIN (SELECT a AS pid FROM cl_cand UNION SELECT b FROM cl_cand) x ON x.pid = p.pid WHERE p.lab IS NOT NULL`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_v AS
      SELECT pid FROM clone_projects WHERE ${full ? 'true' : 'lab IN (SELECT lab FROM cl_afflab)'}
      UNION SELECT a FROM cl_cand UNION SELECT b FROM cl_cand`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_e2 AS
      SELECT DISTINCT a, b FROM (SELECT e.a, e.b FROM clone_edges e ${full ? '' : 'SEMI JOIN cl_v v ON v.pid = e.a'}
                                 UNION ALL SELECT e.b, e.a FROM clone_edges e ${full ? '' : 'SEMI JOIN cl_v v ON v.pid = e.a'})`);
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
    await run(`UPDATE clone_projects SET lab = l.lab FROM (
        SELECT v.pid, n.lab FROM cl_v v LEFT JOIN cl_lab n USING (pid)) l
      WHERE clone_projects.pid = l.pid AND clone_projects.lab IS DISTINCT FROM l.lab`);

    // 6. Clusters to rewrite: the re-labelled components, and those with a member whose department or year changed.
    await run(`CREATE OR REPLACE TEMP TABLE cl_rl AS
      SELECT DISTINCT lab FROM clone_projects p WHERE p.lab IS NOT NULL AND (p.pid IN (SELECT pid FROM cl_v)
        ${scope.deptDocs ? `OR p.doc_id IN (SELECT doc_id FROM ${scope.deptDocs})` : ''})`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_mem AS
      SELECT p.lab, p.pid, p.doc_id, p.project_seq, p.n_indicators AS n, p.set_hash, dd.dept_id, d.year
      FROM clone_projects p SEMI JOIN cl_rl r ON r.lab = p.lab
      LEFT JOIN documents d ON d.doc_id = p.doc_id
      LEFT JOIN document_departments dd ON dd.doc_id = p.doc_id`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_sim AS
      SELECT m.pid, CASE WHEN m.pid = m.lab THEN 1.0 ELSE count(*) FILTER (WHERE sa.v = sb.v) / (any_value(na.n_bins) + any_value(nb.n_bins) - count(sb.bin)) END AS sim
      FROM cl_mem m
      JOIN clone_signatures sa ON sa.pid = m.pid
      LEFT JOIN clone_signatures sb ON sb.pid = m.lab AND sb.bin = sa.bin
      JOIN clone_projects na ON na.pid = m.pid JOIN clone_projects nb ON nb.pid = m.lab
      GROUP BY m.pid, m.lab`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_oldc AS
      SELECT DISTINCT cluster_id FROM clone_members
      WHERE ${full ? 'true' : `hash(doc_id, project_seq) IN (SELECT pid FROM cl_v UNION SELECT pid FROM cl_mem UNION SELECT pid FROM cl_gone)`}`);
    await run(`INSERT INTO cl_changed_docs SELECT DISTINCT doc_id FROM clone_members SEMI JOIN cl_oldc USING (cluster_id)`);
    await run(`DELETE FROM clone_members WHERE cluster_id IN (SELECT cluster_id FROM cl_oldc)`);
    await run(`DELETE FROM clone_clusters WHERE cluster_id IN (SELECT cluster_id FROM cl_oldc)`);
    await run(`INSERT INTO clone_members
      SELECT 'C' || substr(md5(r.doc_id || ':' || r.project_seq), 1, 10) AS cluster_id, m.doc_id, m.project_seq, m.dept_id, m.year, round(s.sim, 3), m.n
      FROM cl_mem m JOIN clone_projects r ON r.pid = m.lab JOIN cl_sim s ON s.pid = m.pid`);
    await run(`CREATE OR REPLACE TEMP TABLE cl_newc AS
      SELECT DISTINCT 'C' || substr(md5(r.doc_id || ':' || r.project_seq), 1, 10) AS cluster_id FROM cl_rl l JOIN clone_projects r ON r.pid = l.lab`);
    await run(`INSERT INTO cl_changed_docs SELECT DISTINCT doc_id FROM clone_members SEMI JOIN cl_newc USING (cluster_id)`);
    await run(`INSERT INTO clone_clusters
      SELECT c.cluster_id,
             CASE WHEN count(DISTINCT p.set_hash) = 1 THEN 'exact' ELSE 'near' END,
             count(*), count(DISTINCT c.doc_id), count(DISTINCT c.dept_id), count(DISTINCT c.year),
             max(per_doc) >= 2, count(DISTINCT c.dept_id) >= 2, max(per_dept_years) >= 2,
             min(c.similarity), NULL
      FROM (SELECT *, count(*) OVER (PARTITION BY cluster_id, doc_id) AS per_doc,
                      count(DISTINCT year) OVER (PARTITION BY cluster_id, dept_id) AS per_dept_years
            FROM clone_members SEMI JOIN cl_newc USING (cluster_id)) c
      JOIN clone_projects p ON p.pid = hash(c.doc_id, c.project_seq)
      GROUP BY c.cluster_id`);
    // Sample: the representative's indicator texts as printed.
    await run(`UPDATE clone_clusters SET sample = s.sample FROM (
      SELECT m.cluster_id, string_agg(coalesce(i.level3, '') || '：' || coalesce(i.value_raw, ''), '；' ORDER BY i.indicator_seq) AS sample
      FROM (SELECT cluster_id, min({'d': doc_id, 'p': project_seq}) AS rep FROM clone_members SEMI JOIN cl_newc USING (cluster_id) GROUP BY cluster_id) m
      JOIN indicators i ON i.doc_id = m.rep.d AND i.project_seq = m.rep.p AND i.indicator_seq <= 6
      GROUP BY m.cluster_id) s WHERE clone_clusters.cluster_id = s.cluster_id`);
    await run('COMMIT');
    const [st] = await rows<{ projects: number; clusters: number; members: number; exact: number; near: number; indexed: number; relabelled: number }>(
      conn,
      `SELECT (SELECT count(*) FROM clone_projects) AS projects, (SELECT count(*) FROM cl_new) AS indexed, (SELECT count(*) FROM cl_v) AS relabelled,
              count(*) AS clusters, coalesce(sum(n_members), 0) AS members,
              count(*) FILTER (WHERE method = 'exact') AS exact, count(*) FILTER (WHERE method = 'near') AS near FROM clone_clusters`,
    );
    return {
      projects: st.projects,
      indexed: st.indexed,
      relabelled: st.relabelled,
      clusters: st.clusters,
      members: st.members,
      exactClusters: st.exact,
      nearClusters: st.near,
      iterations,
    };
  } catch (e) {
    await run('ROLLBACK');
    throw e;
  } finally {
    for (const t of ['cl_ind', 'cl_new', 'cl_tsig', 'cl_nsig', 'cl_nbk', 'cl_gone', 'cl_abk', 'cl_rs', 'cl_dead', 'cl_aff', 'cl_afflab', 'cl_cand', 'cl_pa', 'cl_pair', 'cl_v', 'cl_e2', 'cl_lab', 'cl_lab2', 'cl_rl', 'cl_mem', 'cl_sim', 'cl_oldc', 'cl_newc'])
      await run(`DROP TABLE IF EXISTS ${t}`);
  }
}
