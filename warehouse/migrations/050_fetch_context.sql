-- 050_fetch_context: what the page said about each file. The crawler carries, from a listing to
-- its articles and from an article to its attachments, the column name, the article title and
-- the publication date printed beside the link (crawlers/context.ts); the link text is `anchor`.
-- document_urls shows them per document URL: the nightly run passes them to the transform as
-- DocumentHints (linkText, articleTitle, column, publishedAt, filename).

ALTER TABLE fetches ADD COLUMN article_title VARCHAR;
ALTER TABLE fetches ADD COLUMN column_name VARCHAR;
ALTER TABLE fetches ADD COLUMN published_at DATE;

COMMENT ON COLUMN fetches.article_title IS 'Attachments: title of the article page the link was found on (NULL when linked straight from a listing). Detail pages: the article''s own title (its link text in the listing, else its <h1> / <title>).';
COMMENT ON COLUMN fetches.column_name IS 'Name of the listing column (栏目) the request was found under: the link text of the column link, else the listing''s breadcrumb or title (部门预算, 预决算公开 …).';
COMMENT ON COLUMN fetches.published_at IS 'Publication date printed beside the link in its listing row, else on its article page (发布时间 …).';

CREATE OR REPLACE VIEW document_urls AS
SELECT sha256 AS doc_id, url, any_value(filename) AS filename, any_value(anchor) AS anchor, any_value(source) AS source,
       min(fetched_at) AS first_fetched, max(fetched_at) AS last_fetched, count(*) AS fetches,
       any_value(article_title) AS article_title, any_value(column_name) AS column_name, max(published_at) AS published_at
FROM fetches
WHERE sha256 IS NOT NULL AND kind <> 'robots'
GROUP BY sha256, url;

COMMENT ON VIEW document_urls IS 'Every URL a document (sha256) was fetched from, with what the pages said about it: file name, link text (anchor), article title, column name and publication date — the crawl''s DocumentHints. Where a documents row came from.';
