-- 022_rules_zh: the rule catalog keeps a Chinese rationale too (shown on the scorecards).
ALTER TABLE rules ADD COLUMN rationale_zh VARCHAR;
