/** The warehouse contract: per-document transactions, idempotent re-ingest, bad input recorded, CLI exit codes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, rows, type Warehouse } from '../warehouse/db.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { ROOT, SEED } from './helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'jixiao-ingest-'));
let wh: Warehouse;

beforeAll(async () => {
  wh = await openWarehouse(join(dir, 'w.duckdb'));
});
afterAll(() => wh.close());

const count = async (sql: string) => Number((await rows<{ n: number }>(wh.conn, sql))[0].n);

describe('loading', () => {
  it('documents are keyed by sha256 and every row carries provenance', async () => {
    const r = await ingestFile(wh.conn, SEED.s004);
    expect(r.doc_id).toBe(createHash('sha256').update(readFileSync(SEED.s004)).digest('hex'));
    expect(r.status).toBe('ok');
    const [d] = await rows(wh.conn, `SELECT * FROM documents WHERE doc_id = '${r.doc_id}'`);
    expect(d).toMatchObject({ format: 'text', department: '曹妃甸区市场监督管理局第六分局', dept_code: '930006', year: 2020, kind: '预算', region: '曹妃甸区', n_projects: 8, n_indicators: 72 });
    expect(await count(`SELECT count(*) n FROM indicators WHERE doc_id = '${r.doc_id}' AND (table_no IS NULL OR row_no IS NULL OR line_no IS NULL)`)).toBe(0);
    // The line number points at the row in the dump: line 95 of 004 is the first cell of project 1's first indicator row.
    const [first] = await rows<{ line_no: number }>(wh.conn, `SELECT line_no FROM indicators WHERE doc_id = '${r.doc_id}' AND project_seq = 1 AND indicator_seq = 1`);
    expect(readFileSync(SEED.s004, 'utf8').split('\n')[first.line_no - 1]).toBe('\t产出指标');
  });

  it('ingesting the same bytes again replaces that document and nothing else', async () => {
    const a = await ingestFile(wh.conn, SEED.s000);
    const before = await count('SELECT count(*) n FROM indicators');
    const other = await count(`SELECT count(*) n FROM indicators WHERE doc_id <> '${a.doc_id}'`);
    await ingestFile(wh.conn, SEED.s000);
    expect(await count('SELECT count(*) n FROM indicators')).toBe(before);
    expect(await count(`SELECT count(*) n FROM indicators WHERE doc_id <> '${a.doc_id}'`)).toBe(other);
    expect(await count(`SELECT count(*) n FROM documents WHERE doc_id = '${a.doc_id}'`)).toBe(1);
    expect(await count(`SELECT count(*) n FROM duty_indicators WHERE doc_id = '${a.doc_id}'`)).toBe(12);
  });
});

describe('bad input gets a status and a message, never a crash', () => {
  const cases: [string, string | Buffer, string, RegExp][] = [
    ['empty.txt', '', 'empty', /0 bytes/],
    ['binary.txt', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'binary', /not a document/],
    ['prose.txt', '第一部分 部门概况\n\n本部门主要职责是……\n没有任何表格。\n', 'no_tables', /^$/],
  ];
  it.each(cases)('%s', async (name, content, status, message) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    const r = await ingestFile(wh.conn, p);
    expect(r.status).toBe(status);
    expect(r.error ?? '').toMatch(message);
    const [d] = await rows<{ status: string }>(wh.conn, `SELECT status FROM documents WHERE doc_id = '${r.doc_id}'`);
    expect(d.status).toBe(status);
  });

  it('a table cut off in the middle keeps the rows before the cut and is marked partial', async () => {
    const text = readFileSync(SEED.s001, 'utf8');
    // Cut inside the last row of project 1: "满意度指标\t服务对象满意度指标\t服务对象" (3 of 6 cells).
    const cut = text.slice(0, text.indexOf('满意度指标\t服务对象满意度指标\t服务对象满意度\t服务对象满意度\t≥95%') + 20);
    const p = join(dir, 'cut.txt');
    writeFileSync(p, cut);
    const r = await ingestFile(wh.conn, p);
    expect(r.status).toBe('partial');
    expect(r.projects).toBe(1);
    expect(r.indicators).toBe(9);
    expect(r.warnings.join('\n')).toMatch(/truncated: the last indicator row of project 1 \(安全生产应急保障金\) has \d of 6 cells/);
  });

  it('an unreadable path is recorded too', async () => {
    const r = await ingestFile(wh.conn, join(dir, 'does-not-exist.pdf'));
    expect(r.status).toBe('unreadable');
    expect(await count(`SELECT count(*) n FROM documents WHERE status = 'unreadable'`)).toBe(1);
  });
});

describe('jixiao ingest (CLI)', () => {
  const cli = join(ROOT, 'bin', 'jixiao.mjs');
  it('one bad file does not stop the others; exit code 0 when something was ingested', () => {
    const d = mkdtempSync(join(tmpdir(), 'jixiao-cli-'));
    writeFileSync(join(d, 'a-empty.txt'), '');
    writeFileSync(join(d, 'b-seed.txt'), readFileSync(SEED.s004));
    const out = execFileSync('node', [cli, 'ingest', d, '--db', join(d, 'w.duckdb'), '--report', join(d, 'r.json')], { encoding: 'utf8' });
    expect(out).toMatch(/empty\s+.*a-empty\.txt/);
    expect(out).toMatch(/2 documents: 1 ingested, 1 failed; 8 projects, 72 indicators/);
    const report = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    expect(report.map((r: { status: string }) => r.status)).toEqual(['empty', 'ok']);
    const sql = execFileSync('node', [cli, 'sql', 'SELECT count(*) AS n FROM indicators', '--db', join(d, 'w.duckdb'), '--format', 'csv'], { encoding: 'utf8' });
    expect(sql.trim().split('\n').pop()).toBe('72');
  });

  it('exit code is non-zero when nothing could be ingested', () => {
    const d = mkdtempSync(join(tmpdir(), 'jixiao-cli-'));
    writeFileSync(join(d, 'empty.txt'), '');
    const r = spawnSync('node', [cli, 'ingest', d, '--db', join(d, 'w.duckdb')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/0 ingested, 1 failed/);
  });
});
