-- 011_crawl_comments: descriptions of the crawl tables (010_crawl) for the data dictionary.

COMMENT ON TABLE crawl_runs IS 'One row per nightly run (`jixiao run`): when, which sources, what the crawl found (new / changed / unchanged / failed / skipped), what was loaded, checked and published. Written at the start (status running) and completed at the end.';
COMMENT ON COLUMN crawl_runs.run_id IS 'Run identifier (UTC start time + random suffix); fetches.run_id and check runs refer to it.';
COMMENT ON COLUMN crawl_runs.job IS 'Frontier journal id in the raw store (digest of the sources and start URLs): the same command resumes the same job.';
COMMENT ON COLUMN crawl_runs.status IS 'running | ok | failed | interrupted (the process died; the next run resumes its crawl).';
COMMENT ON COLUMN crawl_runs.resumed IS 'True when this run completed a crawl interrupted earlier (its fetches include those done before the interruption).';
COMMENT ON COLUMN crawl_runs.requests IS 'Requests of the crawl, robots.txt excluded.';
COMMENT ON COLUMN crawl_runs.n_new IS 'URLs whose content was seen for the first time.';
COMMENT ON COLUMN crawl_runs.n_changed IS 'URLs whose content differs from the last fetch (different sha256).';
COMMENT ON COLUMN crawl_runs.n_unchanged IS 'URLs answered 304 Not Modified, or with the same sha256 as last time.';
COMMENT ON COLUMN crawl_runs.n_failed IS 'Requests that got no usable response (see failed_by_reason).';
COMMENT ON COLUMN crawl_runs.n_skipped IS 'Requests not made on purpose: robots.txt Disallow, host not allowed, anti-bot-blocked host.';
COMMENT ON COLUMN crawl_runs.failed_by_reason IS 'JSON {reason: count} of the failed requests.';
COMMENT ON COLUMN crawl_runs.challenges IS 'JSON {host: {antibot_ruishu | antibot_jiasule | antibot_wzws: count}}: anti-bot challenges met (reported, never bypassed).';
COMMENT ON COLUMN crawl_runs.docs_ingested IS 'Fetched documents (distinct sha256) extracted and loaded by this run.';
COMMENT ON COLUMN crawl_runs.docs_failed IS 'Fetched documents whose extraction failed (their documents row has the error).';
COMMENT ON COLUMN crawl_runs.docs_by_status IS 'JSON {documents.status: count} for the documents this run loaded.';
COMMENT ON COLUMN crawl_runs.findings IS 'Quality findings of the checks run after loading.';
COMMENT ON COLUMN crawl_runs.snapshot IS 'Path of the read-only snapshot published at the end, if any.';
COMMENT ON COLUMN crawl_runs.summary IS 'JSON of the whole end-of-run summary, with step timings.';
COMMENT ON COLUMN crawl_runs.store IS 'Raw store directory (content-addressed bodies, WARC files, frontier journal).';

COMMENT ON TABLE fetches IS 'One row per request of a crawl: its final outcome after retries and redirects. Every request/response is also in the raw store''s WARC files; bodies are stored under their sha256.';
COMMENT ON COLUMN fetches.request_key IS 'Frontier identity: the URL for GET, method + URL + form body for POST (Hanweb dataproxy.jsp paging).';
COMMENT ON COLUMN fetches.final_url IS 'URL after redirects.';
COMMENT ON COLUMN fetches.kind IS 'listing (column page, pagination) | detail (article page) | attachment (a linked document) | robots (robots.txt).';
COMMENT ON COLUMN fetches.anchor IS 'Text of the link that led here (often the document title), or the page title.';
COMMENT ON COLUMN fetches.status IS 'Last HTTP status received; NULL when no response arrived (timeout, connection error).';
COMMENT ON COLUMN fetches.outcome IS 'new | changed | unchanged | failed | skipped.';
COMMENT ON COLUMN fetches.reason IS 'Why it failed or was skipped: http_NNN, connect_timeout, headers_timeout, body_timeout, timeout, truncated, too_large, redirect_loop, too_many_redirects, retry_after_too_long, robots_disallow, robots_unavailable, private_address, host_not_allowed, antibot_ruishu, antibot_jiasule, antibot_wzws, antibot_host_blocked, …';
COMMENT ON COLUMN fetches.sha256 IS 'sha256 of the body (hex): the file in the raw store, and documents.doc_id when the body was loaded.';
COMMENT ON COLUMN fetches.etag IS 'ETag of the response, sent back as If-None-Match next time.';
COMMENT ON COLUMN fetches.last_modified IS 'Last-Modified of the response, sent back as If-Modified-Since next time.';
COMMENT ON COLUMN fetches.filename IS 'File name from Content-Disposition (RFC 6266 / 5987, GBK bytes decoded) or the URL.';
COMMENT ON COLUMN fetches.encoding IS 'Encoding an HTML page was decoded with (the bytes decide when header and <meta> disagree).';
COMMENT ON COLUMN fetches.attempts IS 'HTTP attempts made (retries included).';
COMMENT ON COLUMN fetches.links IS 'Links discovered on the page and followed (allowed hosts only).';

COMMENT ON VIEW document_urls IS 'Every URL a document (sha256) was fetched from, with its file name and link text: where a documents row came from.';
