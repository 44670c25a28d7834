-- 051_fetch_column_reason: why a listing was crawled as a budget column when the crawl started
-- from an entry page (crawlers/columns.ts, vocabulary in crawlers/vocabulary.ts).

ALTER TABLE fetches ADD COLUMN column_reason VARCHAR;

COMMENT ON COLUMN fetches.column_reason IS 'Listings chosen from an entry page: why — `column: text "部门预算" ~ 部门预算`, `column: path /czys/ ~ czys`, `column: pinned by /…/`, or `hub: …` for a 政府信息公开 index followed to find columns. NULL for every other request.';
