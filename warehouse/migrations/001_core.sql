-- 001_core: documents and the normalized rows extracted from them.
-- Every extracted row carries doc_id (sha256 of the document's bytes) and its provenance:
-- page, table_no, row_no (1-based within the table) and line_no (text sources).

CREATE TABLE documents (
  doc_id            VARCHAR PRIMARY KEY,   -- sha256 of the bytes, hex
  source            VARCHAR,               -- path or URL the bytes were read from
  format            VARCHAR,               -- text | pdf | docx | doc | xlsx | xls | html | unknown
  bytes             BIGINT,
  title             VARCHAR,
  region            VARCHAR,
  department        VARCHAR,
  dept_code         VARCHAR,
  year              INTEGER,
  kind              VARCHAR,               -- 预算 | 决算
  status            VARCHAR NOT NULL,      -- ok | partial | low_confidence | no_tables | empty | binary | failed | …
  error             VARCHAR,
  warnings          VARCHAR,               -- JSON array of warning strings
  pages             INTEGER,
  extractor         VARCHAR,               -- name@version of the extractor
  transform_version VARCHAR,
  n_tables          INTEGER,
  n_projects        INTEGER,
  n_indicators      INTEGER,
  seconds           DOUBLE,
  ingested_at       TIMESTAMP DEFAULT current_timestamp
);

CREATE TABLE doc_tables (
  doc_id    VARCHAR NOT NULL,
  table_no  INTEGER NOT NULL,
  kind      VARCHAR NOT NULL,   -- project_indicators | department_indicators | duty_indicators | budget | other
  subkind   VARCHAR,
  title     VARCHAR,
  page      INTEGER,
  page_end  INTEGER,
  line_no   INTEGER,
  n_rows    INTEGER,
  n_cols    INTEGER
);

CREATE TABLE projects (
  doc_id       VARCHAR NOT NULL,
  project_seq  INTEGER NOT NULL,
  scope        VARCHAR NOT NULL,     -- project | department
  code         VARCHAR,
  name         VARCHAR,
  budget_wan   DOUBLE,
  fiscal_wan   DOUBLE,
  other_wan    DOUBLE,
  purpose      VARCHAR,
  plan_q1      DOUBLE,
  plan_q2      DOUBLE,
  plan_q3      DOUBLE,
  plan_q4      DOUBLE,
  plan_unit    VARCHAR NOT NULL,     -- percent | amount | ratio | unknown | empty
  plan_raw     VARCHAR,
  plan_labels  VARCHAR,
  plan_header  VARCHAR,             -- the plan's label as printed, e.g. 资金支出计划（%）
  page         INTEGER,
  table_no     INTEGER,
  row_no       INTEGER,
  line_no      INTEGER
);

CREATE TABLE goals (
  doc_id       VARCHAR NOT NULL,
  project_seq  INTEGER NOT NULL,
  goal_seq     INTEGER NOT NULL,
  text         VARCHAR NOT NULL,
  page         INTEGER,
  table_no     INTEGER,
  row_no       INTEGER,
  line_no      INTEGER
);

CREATE TABLE indicators (
  doc_id          VARCHAR NOT NULL,
  project_seq     INTEGER NOT NULL,
  indicator_seq   INTEGER NOT NULL,
  level1          VARCHAR,
  level2          VARCHAR,
  level3          VARCHAR,
  description     VARCHAR,
  value_raw       VARCHAR,
  value_cleaning  VARCHAR,
  op              VARCHAR,
  value_num       DOUBLE,
  unit            VARCHAR,
  value_kind      VARCHAR NOT NULL,   -- numeric | percent | text | placeholder | empty
  basis           VARCHAR,
  level1_carried  BOOLEAN,
  level2_carried  BOOLEAN,
  weight          DOUBLE,
  nature          VARCHAR,
  measure_unit    VARCHAR,
  scoring_rule    VARCHAR,
  value_type      VARCHAR,
  period_value    VARCHAR,
  extra           VARCHAR,
  ocr_confidence  DOUBLE,
  page            INTEGER,
  table_no        INTEGER,
  row_no          INTEGER,
  line_no         INTEGER
);

CREATE TABLE budget_lines (
  doc_id       VARCHAR NOT NULL,
  table_kind   VARCHAR NOT NULL,
  code         VARCHAR,
  name         VARCHAR,
  column_name  VARCHAR NOT NULL,
  amount_wan   DOUBLE,
  page         INTEGER,
  table_no     INTEGER,
  row_no       INTEGER,
  line_no      INTEGER
);

CREATE TABLE duties (
  doc_id       VARCHAR NOT NULL,
  duty_seq     INTEGER NOT NULL,
  code         VARCHAR,
  name         VARCHAR,
  budget_wan   DOUBLE,
  description  VARCHAR,
  goal         VARCHAR,
  page         INTEGER,
  table_no     INTEGER,
  row_no       INTEGER,
  line_no      INTEGER
);

CREATE TABLE duty_indicators (
  doc_id         VARCHAR NOT NULL,
  duty_seq       INTEGER NOT NULL,
  indicator_seq  INTEGER NOT NULL,
  name           VARCHAR NOT NULL,
  grades         VARCHAR,
  grade_labels   VARCHAR,
  page           INTEGER,
  table_no       INTEGER,
  row_no         INTEGER,
  line_no        INTEGER
);
