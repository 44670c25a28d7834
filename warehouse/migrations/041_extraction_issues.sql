-- 041_extraction_issues: what the transform did not understand, per document (transform/issues.ts),
-- so the next unknown layout is found by a person in minutes: `jixiao ingest --report` and the
-- nightly summary print the same rows.
CREATE TABLE extraction_issues (
  doc_id     VARCHAR NOT NULL,
  issue_seq  INTEGER NOT NULL,
  reason     VARCHAR NOT NULL,   -- unrecognized_indicator_table | row_dropped | field_empty
  detail     VARCHAR,
  n_rows     INTEGER,
  evidence   VARCHAR,
  page       INTEGER,
  table_no   INTEGER,
  row_no     INTEGER,
  line_no    INTEGER
);

COMMENT ON TABLE extraction_issues IS 'What the transform did not understand, one row per issue: tables left as kind other that hold indicator-like content, rows of indicator tables that gave nothing, fields left empty. Replaced with the document''s other rows on re-ingest.';
COMMENT ON COLUMN extraction_issues.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN extraction_issues.issue_seq IS '1-based number of the issue within its document.';
COMMENT ON COLUMN extraction_issues.reason IS 'unrecognized_indicator_table (a doc_tables row of kind other with 一级/二级 words such as 产出指标 / 数量指标 or 指标值-like cells such as ≥95%: a layout no header dictionary knows, or a continuation without its header) | row_dropped (a non-empty row inside an indicator table that gave no project, goal or indicator) | field_empty (a field left NULL).';
COMMENT ON COLUMN extraction_issues.detail IS 'For unrecognized_indicator_table: how many 一级/二级 and 指标值-like cells; for row_dropped: why (only 一级/二级 names, one cell only, no 三级 / value); for field_empty: which field (documents.year, projects.name, indicators.level1 / level3 / value_raw).';
COMMENT ON COLUMN extraction_issues.n_rows IS 'Rows the issue covers: the table''s row count for an unrecognized table, 1 for a row, NULL for a document field.';
COMMENT ON COLUMN extraction_issues.evidence IS 'What was printed: the table''s title, first row and sample cells; the dropped row''s cells joined with | ; the indicator''s levels and value (∅ = empty).';
COMMENT ON COLUMN extraction_issues.page IS 'Page of the table or row (NULL for text dumps and document fields).';
COMMENT ON COLUMN extraction_issues.table_no IS 'Table number (doc_tables.table_no); NULL for document fields.';
COMMENT ON COLUMN extraction_issues.row_no IS '1-based row within the table; NULL for a whole table or a document field.';
COMMENT ON COLUMN extraction_issues.line_no IS 'Line of a text dump where the table or row starts; NULL otherwise.';
