-- 070_incremental: incremental quality checks. A check now keeps the warehouse's current findings
-- in one table (whichever run produced them), remembers which document versions it has checked,
-- and keeps a persistent clone index (MinHash signatures, LSH buckets, verified edges, component
-- labels per project) so a nightly run only re-checks what changed (warehouse/quality/incremental.ts).

-- The findings of the warehouse as it is now: every rule's hits on the current documents.
CREATE TABLE current_findings (
  run_id        VARCHAR NOT NULL,
  rule_id       VARCHAR NOT NULL,
  category      VARCHAR NOT NULL,
  severity      VARCHAR NOT NULL,
  doc_id        VARCHAR,
  project_seq   INTEGER,
  indicator_seq INTEGER,
  message       VARCHAR,
  evidence      VARCHAR,
  page          INTEGER,
  table_no      INTEGER,
  row_no        INTEGER
);

-- The document versions the last complete check saw (new / changed / removed are found against it).
CREATE TABLE checked_documents (
  doc_id      VARCHAR PRIMARY KEY,
  ingested_at TIMESTAMP,
  run_id      VARCHAR
);

ALTER TABLE check_runs ADD COLUMN mode VARCHAR;
ALTER TABLE check_runs ADD COLUMN state_hash VARCHAR;
ALTER TABLE check_runs ADD COLUMN n_changed INTEGER;
ALTER TABLE check_runs ADD COLUMN n_scope INTEGER;
ALTER TABLE check_runs ADD COLUMN reason VARCHAR;

-- Persistent clone index: one row per indexed project (≥ minIndicators indicators).
CREATE TABLE clone_projects (
  pid          UBIGINT NOT NULL,
  doc_id       VARCHAR NOT NULL,
  project_seq  INTEGER NOT NULL,
  n_indicators INTEGER,
  set_hash     UBIGINT,
  target_hash  UBIGINT,
  n_bins       INTEGER,
  lab          UBIGINT
);
CREATE TABLE clone_signatures (pid UBIGINT NOT NULL, bin SMALLINT NOT NULL, v UBIGINT NOT NULL);
CREATE TABLE clone_buckets (bucket UBIGINT NOT NULL, kind VARCHAR NOT NULL, pid UBIGINT NOT NULL);
CREATE TABLE clone_edges (bucket UBIGINT NOT NULL, a UBIGINT NOT NULL, b UBIGINT NOT NULL, sim DOUBLE);

-- findings_latest now shows the current findings (the latest run of an incremental check only
-- holds what it re-checked).
CREATE OR REPLACE VIEW findings_latest AS
SELECT f.*, dd.dept_id, d.year, d.department, d.region
FROM current_findings f
LEFT JOIN documents d USING (doc_id)
LEFT JOIN document_departments dd USING (doc_id);

COMMENT ON TABLE current_findings IS 'The findings of the warehouse as it is now, one row per rule hit, whichever check (full or incremental) produced them; scorecards and findings_latest read it. Same columns as findings.';
COMMENT ON COLUMN current_findings.run_id IS 'The check run that produced this finding (an incremental run only re-writes the findings of the documents it re-checked).';
COMMENT ON COLUMN current_findings.rule_id IS 'Rule that fired (rules.rule_id).';
COMMENT ON COLUMN current_findings.category IS 'Rule family: placeholder | measurability | clone | yoy | structure | consistency | plausibility | basis | completeness.';
COMMENT ON COLUMN current_findings.severity IS 'error | warning | info.';
COMMENT ON COLUMN current_findings.doc_id IS 'Document the finding is about.';
COMMENT ON COLUMN current_findings.project_seq IS 'Project within the document (NULL for document-level findings).';
COMMENT ON COLUMN current_findings.indicator_seq IS 'Indicator within the project (NULL for project- and document-level findings).';
COMMENT ON COLUMN current_findings.message IS 'What is wrong, in Chinese, with the offending values.';
COMMENT ON COLUMN current_findings.evidence IS 'JSON object with the offending values.';
COMMENT ON COLUMN current_findings.page IS 'Page of the offending cell (PDF), when known.';
COMMENT ON COLUMN current_findings.table_no IS 'Table of the offending cell, when known.';
COMMENT ON COLUMN current_findings.row_no IS 'Row of the offending cell within its table, when known.';

COMMENT ON TABLE checked_documents IS 'The document versions (doc_id, ingested_at) the last complete check saw; an incremental check re-checks documents that are new, re-ingested or removed since.';
COMMENT ON COLUMN checked_documents.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN checked_documents.ingested_at IS 'documents.ingested_at when it was checked; a later value means the document was re-ingested.';
COMMENT ON COLUMN checked_documents.run_id IS 'Check run that last checked this document version.';

COMMENT ON COLUMN check_runs.mode IS 'full (everything re-checked) | incremental (changed documents and what depends on them) | partial (--rule subset).';
COMMENT ON COLUMN check_runs.state_hash IS 'Hash of the rule catalog, clone options and scorecard weights; an incremental run needs the same hash as the run before it, else it runs full.';
COMMENT ON COLUMN check_runs.n_changed IS 'Documents new, re-ingested or removed since the previous check (incremental runs).';
COMMENT ON COLUMN check_runs.n_scope IS 'Documents whose findings the run re-computed.';
COMMENT ON COLUMN check_runs.reason IS 'Why the run was full when incremental was asked (no previous state, rule catalog changed, …).';

COMMENT ON TABLE clone_projects IS 'Persistent clone index: one row per project with enough indicators, with its set hashes and connected-component label; updated only for new, changed and removed documents.';
COMMENT ON COLUMN clone_projects.pid IS 'hash(doc_id, project_seq): a stable project id that does not depend on load order.';
COMMENT ON COLUMN clone_projects.doc_id IS 'Document of the project.';
COMMENT ON COLUMN clone_projects.project_seq IS 'Project within the document.';
COMMENT ON COLUMN clone_projects.n_indicators IS 'Indicators of the project.';
COMMENT ON COLUMN clone_projects.set_hash IS 'Hash of the sorted normalized indicator set (二级=指标值|三级|描述|指标值): equal for exact clones.';
COMMENT ON COLUMN clone_projects.target_hash IS 'Hash of the sorted targets (二级=指标值): equal for projects with the same targets slot by slot.';
COMMENT ON COLUMN clone_projects.n_bins IS 'Non-empty MinHash bins of the project''s signature.';
COMMENT ON COLUMN clone_projects.lab IS 'Connected-component label: the smallest pid of the project''s clone cluster; NULL when the project is in no cluster.';

COMMENT ON TABLE clone_signatures IS 'One-permutation MinHash signature of each indexed project: per non-empty bin the minimum shingle hash.';
COMMENT ON COLUMN clone_signatures.pid IS 'Project (clone_projects.pid).';
COMMENT ON COLUMN clone_signatures.bin IS 'Bin 0..bins-1 (shingle hash mod bins).';
COMMENT ON COLUMN clone_signatures.v IS 'Minimum of the second shingle hash within the bin.';

COMMENT ON TABLE clone_buckets IS 'Candidate buckets of each indexed project: one per LSH band (band key of its signature), plus its same-targets bucket and its exact-set bucket.';
COMMENT ON COLUMN clone_buckets.bucket IS 'Bucket id: hash of (band, band key), (''t'', target_hash, n) or (''x'', set_hash, n).';
COMMENT ON COLUMN clone_buckets.kind IS 'band (LSH band: linked at the near-clone threshold) | targets (same targets slot by slot: the weaker threshold) | exact (same set: linked without verification).';
COMMENT ON COLUMN clone_buckets.pid IS 'Project in the bucket (clone_projects.pid).';

COMMENT ON TABLE clone_edges IS 'Verified clone links: in each bucket, every member linked to the bucket''s smallest pid when similar enough; kept per bucket so a new or removed member only re-links its own buckets.';
COMMENT ON COLUMN clone_edges.bucket IS 'Bucket the link comes from (clone_buckets.bucket).';
COMMENT ON COLUMN clone_edges.a IS 'Member project (pid).';
COMMENT ON COLUMN clone_edges.b IS 'The bucket''s smallest pid.';
COMMENT ON COLUMN clone_edges.sim IS 'Estimated Jaccard similarity of the two shingle sets (1.0 for exact sets).';
COMMENT ON VIEW findings_latest IS 'The current findings (current_findings) with the department, year and region of their document.';
