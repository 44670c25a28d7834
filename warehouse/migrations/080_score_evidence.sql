-- 080_score_evidence: no score without evidence. A dimension with nothing to assess (no
-- indicators, no projects) is 不可评价 (not assessable) rather than full marks, and so is the total
-- of a department-year with any such dimension; `score_evidence` records what each department-year
-- had to assess (documents, 绩效目标表, projects, indicators) and why it was not assessable.
-- Computed by warehouse/quality/scoring.ts; see docs/quality.md (Scores).

ALTER TABLE scores ADD COLUMN assessable BOOLEAN DEFAULT true;
ALTER TABLE scores ADD COLUMN reason VARCHAR;

COMMENT ON TABLE scores IS 'Per check run, department-year and scorecard dimension (+ total): weight, score and deduction (docs/quality.md, Scores). score is NULL when the dimension (or, for total, any dimension) is 不可评价.';
COMMENT ON COLUMN scores.run_id IS 'check_runs.run_id the score belongs to.';
COMMENT ON COLUMN scores.dept_id IS 'departments.dept_id.';
COMMENT ON COLUMN scores.year IS 'Budget year of the department-year.';
COMMENT ON COLUMN scores.dimension IS '完整性 | 相关性 | 适当性 | 可行性 | 公开完整性 (config/scorecard.yaml), or total.';
COMMENT ON COLUMN scores.weight IS 'Full marks of the dimension (total: 100).';
COMMENT ON COLUMN scores.score IS 'weight − deduction; NULL when not assessable.';
COMMENT ON COLUMN scores.deduction IS 'Sum of score_deductions of the dimension, capped at its weight; NULL when not assessable.';
COMMENT ON COLUMN scores.n_findings IS 'Findings behind the deductions of the dimension (also counted when not assessable).';
COMMENT ON COLUMN scores.assessable IS 'false = 不可评价: the department-year has none of what the dimension assesses (config/scorecard.yaml evidence); for total, false when any dimension is.';
COMMENT ON COLUMN scores.reason IS 'Why the dimension or total is 不可评价, in Chinese (e.g. 未公开绩效目标表); NULL when assessable.';

CREATE TABLE score_evidence (
  run_id          VARCHAR NOT NULL,
  dept_id         VARCHAR NOT NULL,
  year            INTEGER,
  n_documents     BIGINT,
  n_unreadable    BIGINT,
  n_target_tables BIGINT,
  n_projects      BIGINT,
  n_indicators    BIGINT,
  assessable      BOOLEAN NOT NULL,
  reason          VARCHAR
);
COMMENT ON TABLE score_evidence IS 'Per check run and department-year: what there was to assess, and whether the department-year could be scored (the scorecards and the ranking show the unassessable ones apart, with the reason).';
COMMENT ON COLUMN score_evidence.run_id IS 'check_runs.run_id.';
COMMENT ON COLUMN score_evidence.dept_id IS 'departments.dept_id.';
COMMENT ON COLUMN score_evidence.year IS 'Budget year of the department-year.';
COMMENT ON COLUMN score_evidence.n_documents IS 'Documents of the department-year (document_departments).';
COMMENT ON COLUMN score_evidence.n_unreadable IS 'Of those, documents that could not be read (status other than ok / partial / low_confidence / no_tables).';
COMMENT ON COLUMN score_evidence.n_target_tables IS '绩效目标表 in its documents: doc_tables of kind project_indicators, department_indicators or duty_indicators.';
COMMENT ON COLUMN score_evidence.n_projects IS 'Projects (project and department target tables) of its documents.';
COMMENT ON COLUMN score_evidence.n_indicators IS 'Indicator rows of its documents.';
COMMENT ON COLUMN score_evidence.assessable IS 'true when every dimension had something to assess, so the department-year has a total and is ranked.';
COMMENT ON COLUMN score_evidence.reason IS 'Why it is 不可评价 (Chinese, shown on the scorecard and the ranking); NULL when assessable.';
