/**
 * The nightly job against the local portal: lock, crawl_runs / fetches rows, documents loaded
 * from the crawled attachments with their URLs, and a second run that loads nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSources } from '../crawlers/config.ts';
import { resolveAll } from '../crawlers/sources.ts';
import { Portal } from '../crawlers/portal/server.ts';
import { runNightly, type RunSummary } from '../pipeline/nightly.ts';
import { acquireLock, LockBusyError } from '../pipeline/lock.ts';
import { openWarehouse, rows } from '../warehouse/db.ts';

let portal: Portal;
let dir: string;
let first: RunSummary;
let second: RunSummary;
const opts = () => ({
  db: join(dir, 'j.duckdb'),
  store: join(dir, 'raw'),
  sources: resolveAll(parseSources(portal.sourcesYaml()), ['portal-hanweb', 'portal-gbk']),
  snapshot: false,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-run-'));
  portal = await new Portal({ faults: false }).start();
  // A stale lock from a dead process on this machine is taken over.
  writeFileSync(join(dir, 'j.duckdb.run.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: '2026-01-01T00:00:00Z' }));
  first = await runNightly(opts());
  second = await runNightly(opts());
}, 240_000);

afterAll(async () => {
  await portal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('jixiao run', () => {
  it('records the run and every fetch', async () => {
    expect(first.status).toBe('ok');
    expect(first.crawl).toMatchObject({ new: 27, failed: 0 }); // hanweb: listing + 2 POST pages + 7 articles + 7 files; gbk: 2 pages + 4 articles + 4 files
    const wh = await openWarehouse(join(dir, 'j.duckdb'), { readOnly: true });
    try {
      const runs = await rows<{ run_id: string; status: string; n_new: number; n_unchanged: number; docs_ingested: number }>(wh.conn, 'SELECT * FROM crawl_runs ORDER BY started_at');
      expect(runs.map((r) => [r.run_id, r.status])).toEqual([
        [first.runId, 'ok'],
        [second.runId, 'ok'],
      ]);
      expect(runs[0].n_new).toBe(first.crawl!.new);
      expect(runs[1].n_new).toBe(0);
      const f = await rows<{ run_id: string; n: number }>(wh.conn, 'SELECT run_id, count(*)::INT AS n FROM fetches GROUP BY 1 ORDER BY 1');
      expect(f.find((x) => x.run_id === first.runId)!.n).toBe(first.crawl!.requests + 2); // + the two robots.txt requests
      const posts = await rows<{ n: number }>(wh.conn, `SELECT count(*)::INT AS n FROM fetches WHERE run_id = $1 AND method = 'POST' AND outcome = 'new'`, [first.runId]);
      expect(posts[0].n).toBe(2);
      // Every attachment's bytes became a document, traceable to the URLs it came from.
      const docs = await rows<{ doc_id: string; source: string; urls: number; names: string }>(
        wh.conn,
        `SELECT d.doc_id, d.source, count(u.url)::INT AS urls, string_agg(DISTINCT u.filename, '|' ORDER BY u.filename) AS names
         FROM documents d JOIN document_urls u USING (doc_id) GROUP BY 1, 2 ORDER BY 2`,
      );
      const attachments = await rows<{ n: number }>(wh.conn, `SELECT count(DISTINCT sha256)::INT AS n FROM fetches WHERE kind = 'attachment' AND sha256 IS NOT NULL`);
      expect(docs.length).toBe(attachments[0].n);
      expect(docs.every((d) => d.source.startsWith('http://127.0.0.1:'))).toBe(true);
      expect(docs.reduce((a, d) => a + d.urls, 0)).toBe(11); // 7 hanweb + 4 gbk attachment URLs
      expect(docs.some((d) => d.names.includes('湖州市第') && d.names.includes('苏州市第'))).toBe(true);
    } finally {
      wh.close();
    }
  });

  it('keeps what the pages said about each file: link text, article title, column, date (the DocumentHints)', async () => {
    const wh = await openWarehouse(join(dir, 'j.duckdb'), { readOnly: true });
    try {
      const u = await rows<{ url: string; anchor: string; article_title: string | null; column_name: string | null; published_at: string | null; filename: string }>(
        wh.conn,
        `SELECT url, anchor, article_title, column_name, strftime(published_at, '%Y-%m-%d') AS published_at, filename FROM document_urls WHERE doc_id IN (SELECT doc_id FROM documents) ORDER BY url`,
      );
      expect(u.length).toBe(11);
      const hz = u.filter((r) => r.url.includes('downfile.jsp'));
      expect(hz.length).toBe(7);
      for (const r of hz) {
        const n = /filename=26021(\d)\.pdf/.exec(r.url)![1];
        // Inline <datastore> records and dataproxy.jsp pages alike: the article's title and the date printed beside it.
        expect(r).toMatchObject({ anchor: `第${n}部门2026年部门预算.pdf`, article_title: `湖州市第${n}部门2026年部门预算公开`, column_name: '部门预算', published_at: '2026-02-12' });
      }
      const sz = u.filter((r) => r.url.includes('/download?id='));
      expect(sz.map((r) => r.article_title).sort()).toEqual([1, 2, 3, 4].map((n) => `苏州市第${n}局2026年部门预算公开`));
      expect(sz.every((r) => r.column_name === '部门预算')).toBe(true);
    } finally {
      wh.close();
    }
  });

  it('passes the hints to the transform', async () => {
    const { documentHints } = await import('../pipeline/nightly.ts');
    const src = opts().sources[0];
    const h = documentHints({ anchor: '附件1.pdf', article_title: '湖州市教育局2026年部门预算公开', column_name: '部门预算', published_at: '2026-02-12', filename: 'a.pdf' } as never, src);
    expect(h).toEqual({ region: '湖州市', department: null, year: null, linkText: '附件1.pdf', articleTitle: '湖州市教育局2026年部门预算公开', column: '部门预算', publishedAt: '2026-02-12', filename: 'a.pdf' });
  });

  it('loads nothing twice on the second run', () => {
    expect(second.crawl).toMatchObject({ new: 0, changed: 0, failed: 0 });
    expect(second.documents.ingested).toBe(0);
    expect(second.documents.alreadyLoaded).toBe(first.documents.candidates);
  });

  it('never overlaps another run', async () => {
    const lock = acquireLock(join(dir, 'j.duckdb.run.lock'));
    try {
      await expect(runNightly(opts())).rejects.toThrow(LockBusyError);
    } finally {
      lock.release();
    }
  });
});
