-- 010_crawl: what the nightly job did. One crawl_runs row per `jixiao run`, one fetches row per
-- request the crawl made (its final outcome after retries and redirects). The raw bytes live in
-- the content-addressed store (sha256), every request/response in its WARC files; the frontier
-- is a file-based journal in the store (state/jobs/*.jsonl), not in DuckDB, so a crawl can be
-- killed and resumed without the warehouse. See docs/operations.md.

CREATE TABLE crawl_runs (
  run_id           VARCHAR PRIMARY KEY,
  job              VARCHAR,               -- frontier journal id (digest of sources + start URLs)
  started_at       TIMESTAMP NOT NULL,
  finished_at      TIMESTAMP,
  status           VARCHAR NOT NULL,      -- running | ok | failed | interrupted
  sources          VARCHAR,               -- JSON array of source names
  resumed          BOOLEAN,               -- the crawl continued an interrupted one
  requests         INTEGER,
  n_new            INTEGER,
  n_changed        INTEGER,
  n_unchanged      INTEGER,
  n_failed         INTEGER,
  n_skipped        INTEGER,
  failed_by_reason VARCHAR,               -- JSON {reason: count}
  challenges       VARCHAR,               -- JSON {host: {antibot_kind: count}}
  docs_ingested    INTEGER,
  docs_failed      INTEGER,
  docs_by_status   VARCHAR,               -- JSON {status: count}
  findings         INTEGER,
  snapshot         VARCHAR,               -- path of the published snapshot
  summary          VARCHAR,               -- JSON: everything above and the step timings
  error            VARCHAR,
  store            VARCHAR,               -- raw store directory
  machine          VARCHAR,
  pid              INTEGER
);

CREATE TABLE fetches (
  run_id         VARCHAR NOT NULL,
  request_key    VARCHAR NOT NULL,        -- URL (GET) or POST URL + form body
  url            VARCHAR NOT NULL,
  method         VARCHAR NOT NULL,
  final_url      VARCHAR,                 -- after redirects
  kind           VARCHAR NOT NULL,        -- listing | detail | attachment | robots
  source         VARCHAR,
  host           VARCHAR,
  depth          INTEGER,
  referer        VARCHAR,
  anchor         VARCHAR,                 -- link text (often the document title) or page title
  status         INTEGER,                 -- last HTTP status (NULL: no response)
  outcome        VARCHAR NOT NULL,        -- new | changed | unchanged | failed | skipped
  reason         VARCHAR,                 -- http_503, headers_timeout, truncated, redirect_loop, robots_disallow, antibot_ruishu, …
  error          VARCHAR,
  bytes          BIGINT,
  sha256         VARCHAR,                 -- = documents.doc_id for attachments that were ingested
  content_type   VARCHAR,
  etag           VARCHAR,
  last_modified  VARCHAR,
  filename       VARCHAR,                 -- from Content-Disposition (RFC 5987) or the URL
  encoding       VARCHAR,                 -- text encoding of HTML pages
  attempts       INTEGER,
  redirects      INTEGER,
  elapsed_ms     INTEGER,
  fetched_at     TIMESTAMP,
  links          INTEGER                  -- links discovered on the page
);

-- Every URL a document was fetched from, with the attachment's file name and link text.
CREATE VIEW document_urls AS
SELECT sha256 AS doc_id, url, any_value(filename) AS filename, any_value(anchor) AS anchor, any_value(source) AS source,
       min(fetched_at) AS first_fetched, max(fetched_at) AS last_fetched, count(*) AS fetches
FROM fetches
WHERE sha256 IS NOT NULL AND kind <> 'robots'
GROUP BY sha256, url;
