-- 020_quality: indicator quality — rule catalog, findings, clone clusters, department identity,
-- year-over-year tables and scores. Everything here is derived from the 001_core tables by
-- `runChecks()` (warehouse/quality/index.ts); rebuilding it never touches extracted rows.
-- See docs/quality.md for the meaning of every table and view.

-- Text normalization used by every rule and by clone detection: no whitespace, no punctuation
-- (ASCII or full-width), full-width digits/letters/operators folded to ASCII, lower case.
CREATE OR REPLACE MACRO jx_norm(s) AS
  lower(regexp_replace(
    translate(coalesce(s, ''), '０１２３４５６７８９％＜＞＝．ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ',
                                '0123456789%<>=.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'),
    '[\s\x{3000}\x{00a0},，。、;；:：()（）\[\]【】〔〕<>《》"“”''‘’·!！?？…_\-—]+', '', 'g'));

-- 一级 dimension of an indicator from its printed 一级指标 (产出 / 效益 (效果) / 满意度 / 成本).
CREATE OR REPLACE MACRO jx_l1(s) AS CASE
  WHEN s IS NULL OR trim(s) = '' THEN NULL
  WHEN s LIKE '%满意%' THEN 'satisfaction'
  WHEN s LIKE '%产出%' THEN 'output'
  WHEN s LIKE '%效益%' OR s LIKE '%效果%' THEN 'effect'
  WHEN s LIKE '%成本%' THEN 'cost'
  ELSE 'other' END;

-- The 一级 dimension a 二级指标 belongs to (财预〔2021〕101号 framework; 成本指标 may sit under
-- 产出指标 (older templates) or be its own 一级). NULL when the 二级 name is not a standard one.
CREATE OR REPLACE MACRO jx_l2_dim(s) AS CASE
  WHEN s IS NULL OR trim(s) = '' THEN NULL
  WHEN s LIKE '%满意%' THEN 'satisfaction'
  WHEN s LIKE '%数量%' OR s LIKE '%质量%' OR s LIKE '%时效%' THEN 'output'
  WHEN s LIKE '%成本%' THEN 'cost'
  WHEN s LIKE '%经济效益%' OR s LIKE '%社会效益%' OR s LIKE '%生态效益%' OR s LIKE '%可持续%' THEN 'effect'
  ELSE NULL END;

-- What kind of placeholder a printed 指标值 is, or NULL for a real value:
--   empty (nothing printed), none (无 / 不适用 / dashes), grade (≤100优, 优, 良好: a grade scale
--   instead of a target), generic (节约成本, 按时完成, 有效提升: a slogan with no target in it).
CREATE OR REPLACE MACRO jx_placeholder(v) AS CASE
  WHEN v IS NULL OR trim(v) = '' THEN 'empty'
  WHEN trim(v) IN ('无', '/', '／', '-', '--', '—', '——', '不适用', '暂无', 'N/A', 'n/a', 'NA', '\') THEN 'none'
  WHEN jx_norm(v) = '' THEN 'empty'
  WHEN regexp_full_match(jx_norm(v), '(<|>|<=|>=|≤|≥|=|≦|≧)?[0-9.]*(分)?(优|良|中|差|优秀|良好|优良)+') THEN 'grade'
  WHEN regexp_full_match(jx_norm(v), '(节约成本|节约资金|节约经费|节省成本|控制成本|成本控制|降低成本|按时完成|按期完成|及时完成|完成|有效提升|明显提升|逐步提高|进一步提高|显著提高|有所提高|提高|提升|较好|好|正常|正常运行|保障运行|符合要求|达到要求|达标|有效|明显|显著|是|否)') THEN 'generic'
  ELSE NULL END;

-- Does a printed value contain a number (Arabic, full-width or Chinese numerals)?
CREATE OR REPLACE MACRO jx_has_number(v) AS regexp_matches(coalesce(v, ''), '[0-9０-９一二三四五六七八九十两百千万亿]');

-- Dice similarity of the character-bigram sets of two normalized strings (1 = same bigrams).
CREATE OR REPLACE MACRO jx_bigrams(s) AS
  CASE WHEN length(s) < 2 THEN [s] ELSE list_distinct(list_transform(range(1, length(s)), i -> substr(s, i, 2))) END;
CREATE OR REPLACE MACRO jx_dice(a, b) AS
  CASE WHEN coalesce(a, '') = '' OR coalesce(b, '') = '' THEN 0.0
       WHEN a = b THEN 1.0
       ELSE 2.0 * len(list_intersect(jx_bigrams(a), jx_bigrams(b))) / (len(jx_bigrams(a)) + len(jx_bigrams(b))) END;

-- Rule catalog as loaded from warehouse/rules/*.yaml at the last `jixiao check`.
CREATE TABLE rules (
  rule_id    VARCHAR PRIMARY KEY,
  category   VARCHAR NOT NULL,  -- placeholder | measurability | clone | yoy | structure | consistency | plausibility | basis | completeness
  severity   VARCHAR NOT NULL,  -- error | warning | info
  criterion  VARCHAR NOT NULL,  -- scorecard dimension: 完整性 | 相关性 | 适当性 | 可行性 | 公开完整性
  entity     VARCHAR NOT NULL,  -- indicator | project | document | department
  title_zh   VARCHAR NOT NULL,
  title_en   VARCHAR NOT NULL,
  rationale  VARCHAR NOT NULL,
  reference  VARCHAR NOT NULL,
  heuristic  BOOLEAN NOT NULL,
  sql        VARCHAR NOT NULL,
  file       VARCHAR
);

-- One row per `jixiao check`.
CREATE TABLE check_runs (
  run_id      VARCHAR PRIMARY KEY,
  started_at  TIMESTAMP DEFAULT current_timestamp,
  finished_at TIMESTAMP,
  n_rules     INTEGER,
  n_findings  BIGINT,
  n_errors    INTEGER,
  seconds     DOUBLE
);

-- Per run and rule: status, failing count, time, the error when the rule itself failed.
CREATE TABLE rule_results (
  run_id    VARCHAR NOT NULL,
  rule_id   VARCHAR NOT NULL,
  status    VARCHAR NOT NULL,  -- pass | fail | error
  findings  BIGINT,
  seconds   DOUBLE,
  error     VARCHAR
);

-- One row per rule hit. project_seq / indicator_seq are NULL for document-level findings;
-- page / table_no / row_no link to the offending cells.
CREATE TABLE findings (
  run_id        VARCHAR NOT NULL,
  rule_id       VARCHAR NOT NULL,
  category      VARCHAR NOT NULL,
  severity      VARCHAR NOT NULL,
  doc_id        VARCHAR,
  project_seq   INTEGER,
  indicator_seq INTEGER,
  message       VARCHAR,
  evidence      VARCHAR,           -- JSON object: the offending values
  page          INTEGER,
  table_no      INTEGER,
  row_no        INTEGER
);

-- Department identity: one row per department across renames and years.
CREATE TABLE departments (
  dept_id     VARCHAR PRIMARY KEY,
  region      VARCHAR,
  name        VARCHAR,             -- latest name
  names       VARCHAR,             -- JSON array of every name seen, oldest first
  codes       VARCHAR,             -- JSON array of department codes seen
  first_year  INTEGER,
  last_year   INTEGER,
  n_docs      INTEGER,
  source      VARCHAR              -- auto | config
);

CREATE TABLE document_departments (
  doc_id      VARCHAR PRIMARY KEY,
  dept_id     VARCHAR NOT NULL,
  year        INTEGER,
  method      VARCHAR NOT NULL,    -- name | code | rename | config | singleton
  confidence  DOUBLE,
  evidence    VARCHAR              -- JSON: why the document was linked (score, shared projects, …)
);

-- Clone clusters of project indicator sets. method: exact (same normalized set) or near
-- (MinHash/LSH, verified Jaccard estimate ≥ threshold). Scope flags say whether the cluster has
-- members in one document, across departments and across years.
CREATE TABLE clone_clusters (
  cluster_id      VARCHAR PRIMARY KEY,
  method          VARCHAR NOT NULL,
  n_members       INTEGER,
  n_docs          INTEGER,
  n_departments   INTEGER,
  n_years         INTEGER,
  within_document BOOLEAN,
  across_departments BOOLEAN,
  across_years    BOOLEAN,
  min_similarity  DOUBLE,
  sample          VARCHAR           -- the shared indicator texts (first few)
);

CREATE TABLE clone_members (
  cluster_id  VARCHAR NOT NULL,
  doc_id      VARCHAR NOT NULL,
  project_seq INTEGER NOT NULL,
  dept_id     VARCHAR,
  year        INTEGER,
  similarity  DOUBLE,               -- estimated Jaccard to the cluster representative
  n_indicators INTEGER
);

-- Year-over-year: projects of one department matched with the department's previous year.
CREATE TABLE yoy_projects (
  dept_id          VARCHAR NOT NULL,
  year             INTEGER,
  prev_year        INTEGER,
  doc_id           VARCHAR NOT NULL,
  project_seq      INTEGER NOT NULL,
  prev_doc_id      VARCHAR,
  prev_project_seq INTEGER,
  match_method     VARCHAR,         -- code | name | fuzzy | NULL (new project)
  name_similarity  DOUBLE,
  name             VARCHAR,
  prev_name        VARCHAR,
  budget_wan       DOUBLE,
  prev_budget_wan  DOUBLE,
  budget_change_wan DOUBLE,
  budget_change_pct DOUBLE,
  set_copied       BOOLEAN,         -- whole normalized indicator set identical to the year before
  n_indicators     INTEGER,
  n_added          INTEGER,
  n_dropped        INTEGER,
  n_raised         INTEGER,
  n_lowered        INTEGER,
  n_unchanged      INTEGER
);

-- Year-over-year per indicator of matched projects: raised / lowered / unchanged / added / dropped.
CREATE TABLE yoy_indicators (
  dept_id            VARCHAR NOT NULL,
  year               INTEGER,
  prev_year          INTEGER,
  doc_id             VARCHAR,
  project_seq        INTEGER,
  indicator_seq      INTEGER,
  prev_doc_id        VARCHAR,
  prev_project_seq   INTEGER,
  prev_indicator_seq INTEGER,
  indicator          VARCHAR,
  value_raw          VARCHAR,
  prev_value_raw     VARCHAR,
  value_num          DOUBLE,
  prev_value_num     DOUBLE,
  change             VARCHAR NOT NULL  -- raised | lowered | unchanged | changed_text | added | dropped
);

-- Scores per department-year and dimension (weights from config/scorecard.yaml).
CREATE TABLE scores (
  run_id      VARCHAR NOT NULL,
  dept_id     VARCHAR NOT NULL,
  year        INTEGER,
  dimension   VARCHAR NOT NULL,  -- 完整性 | 相关性 | 适当性 | 可行性 | 公开完整性 | total
  weight      DOUBLE,
  score       DOUBLE,
  deduction   DOUBLE,
  n_findings  BIGINT
);

-- Per department-year, dimension and rule: how the deduction was computed (see docs/quality.md).
CREATE TABLE score_deductions (
  run_id      VARCHAR NOT NULL,
  dept_id     VARCHAR NOT NULL,
  year        INTEGER,
  dimension   VARCHAR NOT NULL,
  rule_id     VARCHAR NOT NULL,
  severity    VARCHAR,
  n_findings  BIGINT,
  n_entities  BIGINT,   -- distinct indicators / projects / documents hit
  n_eligible  BIGINT,   -- indicators / projects / documents of the department-year
  rate        DOUBLE,
  deduction   DOUBLE
);

-- Findings of the latest run, with the department and year of their document.
CREATE VIEW findings_latest AS
SELECT f.*, dd.dept_id, d.year, d.department, d.region
FROM findings f
LEFT JOIN documents d USING (doc_id)
LEFT JOIN document_departments dd USING (doc_id)
WHERE f.run_id = (SELECT run_id FROM check_runs ORDER BY started_at DESC, run_id DESC LIMIT 1);

-- Department-level year-over-year summary.
CREATE VIEW yoy_departments AS
SELECT dept_id, year, prev_year,
       count(*) AS n_projects,
       count(prev_project_seq) AS n_matched,
       sum(budget_wan) AS budget_wan,
       sum(prev_budget_wan) AS matched_prev_budget_wan,
       count(*) FILTER (WHERE set_copied) AS n_sets_copied,
       sum(n_raised) AS n_raised, sum(n_lowered) AS n_lowered, sum(n_unchanged) AS n_unchanged,
       sum(n_added) AS n_added, sum(n_dropped) AS n_dropped
FROM yoy_projects
GROUP BY ALL;
