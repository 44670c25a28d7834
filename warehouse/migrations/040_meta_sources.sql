-- 040_meta_sources: which source each document metadata field came from (the document's text, its
-- file name, what the crawl saw, the source's config), so a printed year can be told from a guess.
ALTER TABLE documents ADD COLUMN year_source VARCHAR;
ALTER TABLE documents ADD COLUMN department_source VARCHAR;
ALTER TABLE documents ADD COLUMN region_source VARCHAR;
ALTER TABLE documents ADD COLUMN kind_source VARCHAR;

COMMENT ON COLUMN documents.year_source IS 'Where year came from: document (printed in it) | filename | link_text | article_title | column (listing column) | config (the source''s config) | published_at (publication date: a 预算 in its own year, a 决算 the year after); NULL when year is NULL.';
COMMENT ON COLUMN documents.department_source IS 'Where department came from: document | filename | link_text | article_title | column | config; NULL when department is NULL.';
COMMENT ON COLUMN documents.region_source IS 'Where region came from: document (the department''s own name, else a title line) | filename | link_text | article_title | column | config; NULL when region is NULL.';
COMMENT ON COLUMN documents.kind_source IS 'Where kind (预算 / 决算) came from: document | filename | link_text | article_title | column | config; NULL when kind is NULL.';
COMMENT ON COLUMN documents.year IS 'Budget year (预算年度) the disclosure is about: as printed, else from its file name or what the crawl saw (see year_source).';
COMMENT ON COLUMN documents.region IS 'Region (地区: city, county, district or development zone) the disclosure belongs to: from the department''s own name, else a title line, else the file name or what the crawl saw (see region_source).';
