/**
 * The document pool: several documents extracted + transformed at once in worker threads, loaded
 * by one writer in input order — the same warehouse as one at a time; a document past its budget
 * inside a pool thread fails with that reason and the thread goes on with the next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFiles, type IngestResult } from '../pipeline/ingest.ts';
import { DocumentPool } from '../pipeline/pool.ts';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { CORPUS, SEED } from './helpers/paths.ts';

const PDF_A = join(CORPUS, 'pdf', '001_上海', '2026年上海市水务局_部门预算.pdf');
const PDF_B = join(CORPUS, 'pdf', '005_广州', '政务服务和数据管理局_广州市政务服务和数据局2026年部门整体预算绩效目标申报表.pdf.pdf');
let dir: string;
let files: string[];
const runs: Record<number, { results: IngestResult[]; docs: object[]; indicators: object[] }> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-pool-'));
  const broken = join(dir, 'broken.pdf');
  writeFileSync(broken, Buffer.concat([readFileSync(PDF_A).subarray(0, 4000)])); // cut short
  files = [PDF_A, SEED.s000, broken, PDF_B, SEED.s004, join(dir, 'missing.pdf')];
  for (const jobs of [1, 3]) {
    const wh = await openWarehouse(join(dir, `j${jobs}.duckdb`));
    const pool = new DocumentPool(jobs);
    try {
      const results = await ingestFiles(wh.conn, files, { pool, jobs });
      runs[jobs] = {
        results,
        docs: await rows(wh.conn, 'SELECT doc_id, status, format, pages, error FROM documents ORDER BY doc_id'),
        indicators: await rows(wh.conn, 'SELECT doc_id, project_seq, indicator_seq, level3, value_raw FROM indicators ORDER BY ALL'),
      };
    } finally {
      pool.stop();
      wh.close();
    }
  }
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('document pool', () => {
  it('returns the results in input order, each document once', () => {
    expect(runs[3].results.map((r) => r.source)).toEqual(files);
    expect(runs[3].results.map((r) => r.status)).toEqual(runs[1].results.map((r) => r.status));
  });

  it('loads the same warehouse with 3 threads as with 1', () => {
    expect(runs[3].docs).toEqual(runs[1].docs);
    expect(runs[3].indicators).toEqual(runs[1].indicators);
    expect(runs[3].indicators.length).toBeGreaterThan(50);
  });

  it('records a broken and a missing file with their reasons, and goes on', () => {
    const [a, seed, broken, b, seed4, missing] = runs[3].results;
    expect(a.status).toBe('ok');
    expect(a.pages).toBe(20);
    expect(seed.indicators).toBeGreaterThan(0);
    expect(['truncated', 'corrupt']).toContain(broken.status);
    expect(broken.error).toBeTruthy();
    expect(b.status).toBe('ok');
    expect(seed4.indicators).toBeGreaterThan(0);
    expect(missing.status).toBe('unreadable');
  });

  it('holds a document to its time budget inside a pool thread; the thread serves the next one', async () => {
    const pool = new DocumentPool(1);
    try {
      const slow = await pool.process(readFileSync(PDF_A), PDF_A, { timeoutMs: 5 });
      expect(slow.failure?.reason).toBe('timeout');
      const next = await pool.process(readFileSync(SEED.s004), SEED.s004);
      expect(next.failure).toBeNull();
      expect(next.doc!.indicators.length).toBeGreaterThan(0);
    } finally {
      pool.stop();
    }
  }, 300_000);

  it('a free slot takes the largest waiting document first', async () => {
    const pool = new DocumentPool(1);
    const files = [SEED.s000, SEED.s004, PDF_A, SEED.s001, PDF_B];
    const finished: string[] = [];
    try {
      await Promise.all(files.map((f) => pool.process(readFileSync(f), f).then(() => finished.push(f))));
    } finally {
      pool.stop();
    }
    // The first starts at once (the slot is free); the others waited and go by size, largest first.
    const bySize = files.slice(1).sort((a, b) => statSync(b).size - statSync(a).size);
    expect(finished).toEqual([files[0], ...bySize]);
  }, 300_000);

  it('a slow document does not hold the documents after it on its slot while another slot is free', async () => {
    const pool = new DocumentPool(2);
    const big = join(CORPUS, 'pdf', '002_北京', '文化广电旅游体育局_2026年部门预算.pdf'); // 177 pages
    const small = [SEED.s000, SEED.s001, SEED.s003, SEED.s004];
    const finished: string[] = [];
    try {
      // Warm both threads so neither start-up decides the order.
      await Promise.all([pool.process(readFileSync(SEED.s000), 'warm'), pool.process(readFileSync(SEED.s000), 'warm')]);
      await Promise.all([big, ...small].map((f) => pool.process(readFileSync(f), f).then(() => finished.push(f))));
    } finally {
      pool.stop();
    }
    // Before, each document was bound to a slot when handed in: half of the small ones waited
    // behind the 177-page report. Now the other slot reads them all meanwhile.
    expect(finished.at(-1)).toBe(big);
    expect(finished.slice(0, 4).sort()).toEqual([...small].sort());
  }, 300_000);
});

