/**
 * Published snapshots: a writer process re-ingests the seeds in a loop and publishes after each
 * complete run while readers (in this process and through the CLI in other processes) query the
 * current snapshot. No lock errors on either side, and every read sees a complete run.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { CURRENT, currentSnapshot, listSnapshots, openForReading, publishSnapshot, resolveRead } from '../warehouse/snapshot.ts';
import { ROOT, SEED } from './helpers/paths.ts';

const run = promisify(execFile);
const SEEDS = [SEED.s000, SEED.s001, SEED.s003, SEED.s004];
const RUNS = 5;

/** The writer: each run empties the extracted tables, ingests the four seeds one document per transaction, records a run marker with the counts it loaded, closes, publishes. */
const writerSource = (db: string) => `
import { openWarehouse, rows } from ${JSON.stringify(join(ROOT, 'warehouse/db.ts'))};
import { DOC_TABLES } from ${JSON.stringify(join(ROOT, 'warehouse/load.ts'))};
import { ingestFile } from ${JSON.stringify(join(ROOT, 'pipeline/ingest.ts'))};
import { publishSnapshot } from ${JSON.stringify(join(ROOT, 'warehouse/snapshot.ts'))};
const seeds = ${JSON.stringify(SEEDS)};
for (let runNo = 1; runNo <= ${RUNS}; runNo++) {
  const wh = await openWarehouse(${JSON.stringify(db)});
  await wh.conn.run('CREATE TABLE IF NOT EXISTS test_run_marker (run_no INTEGER, documents INTEGER, indicators INTEGER)');
  for (const t of [...DOC_TABLES, 'documents', 'test_run_marker']) await wh.conn.run('DELETE FROM ' + t);
  let indicators = 0;
  for (const f of seeds) indicators += (await ingestFile(wh.conn, f)).indicators;
  await wh.conn.run('INSERT INTO test_run_marker VALUES ($1, $2, $3)', [runNo, seeds.length, indicators]);
  wh.close();
  const p = await publishSnapshot(${JSON.stringify(db)}, { keep: 2 });
  console.log('published', runNo, p.name);
}
`;

interface Read {
  run_no: number;
  documents: number;
  indicators: number;
  marker_documents: number;
  marker_indicators: number;
}

const READ_SQL = `SELECT m.run_no, m.documents AS marker_documents, m.indicators AS marker_indicators,
  (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM indicators) AS indicators
  FROM test_run_marker m`;

describe('published snapshots', () => {
  it('a writer ingesting in a loop and concurrent readers: zero lock errors, every read sees a complete run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-snap-'));
    const db = join(dir, 'work.duckdb');
    const snaps = join(dir, 'snapshots');
    const script = join(dir, 'writer.mts');
    writeFileSync(script, writerSource(db));

    const writer = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let wout = '';
    let werr = '';
    writer.stdout.on('data', (d) => (wout += d));
    writer.stderr.on('data', (d) => (werr += d));
    let writerDone = false;
    const exited = new Promise<number>((res) => writer.on('exit', (code) => ((writerDone = true), res(code ?? -1))));

    const reads: Read[] = [];
    const errors: string[] = [];
    const seen = new Set<string>();
    // In-process reader: resolve `current`, open read-only, check the run marker against the rows.
    const inProcess = (async () => {
      while (!writerDone) {
        if (!currentSnapshot(snaps)) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        try {
          const wh = await openForReading(snaps);
          try {
            seen.add(wh.path);
            reads.push(...(await rows<Read>(wh.conn, READ_SQL)));
          } finally {
            wh.close();
          }
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    })();
    // Reader processes: the CLI, reading the snapshot folder.
    const cliReader = (async () => {
      let n = 0;
      while (!writerDone) {
        if (!currentSnapshot(snaps)) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        try {
          const { stdout } = await run(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), 'sql', '-c', READ_SQL, '--db', snaps, '--format', 'json'], { cwd: dir });
          reads.push(...(JSON.parse(stdout) as Read[]));
          n++;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      return n;
    })();

    const code = await exited;
    const [, cliReads] = await Promise.all([inProcess, cliReader]);
    console.log(`snapshot test: ${RUNS} runs published, ${reads.length} reads (${cliReads} by CLI processes) over ${seen.size} snapshot files, ${errors.length} errors`);
    expect(werr.split('\n').filter((l) => /lock/i.test(l))).toEqual([]);
    expect(`exit ${code} ${werr}`).toBe("exit 0 ");
    expect(wout.match(/^published \d+/gm)).toHaveLength(RUNS);
    expect(errors.filter((e) => /lock/i.test(e))).toEqual([]);
    expect(errors).toEqual([]);
    expect(cliReads).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThan(RUNS);
    // every read saw exactly one complete run: the marker is there and the rows match it
    for (const r of reads) {
      expect(r.documents).toBe(SEEDS.length);
      expect(r.marker_documents).toBe(SEEDS.length);
      expect(r.indicators).toBe(r.marker_indicators);
      expect(r.indicators).toBeGreaterThan(0);
    }
    // readers saw more than one published run while the writer was writing
    expect(new Set(reads.map((r) => r.run_no)).size).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThan(1);
    // keep: 2 → only the two newest remain, and current is the newest
    const left = listSnapshots(snaps);
    expect(left).toHaveLength(2);
    expect(left[1].current).toBe(true);
    expect(readlinkSync(join(snaps, CURRENT))).toBe(left[1].name);
    expect(readdirSync(snaps).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 240_000);

  it('publishing while the caller still holds the working database, and a failed publish leaves current alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-snap2-'));
    const db = join(dir, 'work.duckdb');
    const wh = await openWarehouse(db);
    await ingestFile(wh.conn, SEED.s004);
    const [{ n }] = await rows<{ n: number }>(wh.conn, 'SELECT count(*) AS n FROM indicators');
    const first = await publishSnapshot(db, { conn: wh.conn });
    expect(first.tableRows.indicators).toBe(n);
    const SCHEMA_SQL = `SELECT (SELECT count(*) FROM duckdb_views() WHERE NOT internal AND database_name = current_database()) AS views,
      (SELECT count(*) FROM duckdb_functions() WHERE function_type IN ('macro', 'table_macro') AND NOT internal AND database_name = current_database()) AS macros,
      (SELECT count(*) FROM duckdb_columns() WHERE comment IS NOT NULL AND database_name = current_database()) AS comments`;
    const [working] = await rows(wh.conn, SCHEMA_SQL);
    // the working database is open (locked) in this process: attaching it from elsewhere fails
    // clearly and the current snapshot does not move
    const other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { publishSnapshot } = await import(${JSON.stringify(join(ROOT, 'warehouse/snapshot.ts'))});
      try { await publishSnapshot(${JSON.stringify(db)}); console.log('published'); } catch (e) { console.log('ERR ' + e.message); }`], { cwd: ROOT });
    let out = '';
    other.stdout.on('data', (d) => (out += d));
    await new Promise((r) => other.on('exit', r));
    wh.close();
    expect(out).toMatch(/^ERR cannot publish .*another process is writing it/m);
    expect(currentSnapshot(join(dir, 'snapshots'))).toBe(first.path);
    expect(readdirSync(join(dir, 'snapshots')).filter((f) => f.startsWith('.'))).toEqual([]);

    // the snapshot carries what it is and the comments of the schema
    const snap = await openForReading(join(dir, 'snapshots'));
    try {
      const [info] = await rows<{ name: string; table_rows: string }>(snap.conn, 'SELECT name, table_rows FROM snapshot_info');
      expect(info.name).toBe(first.name);
      expect(JSON.parse(info.table_rows).indicators).toBe(n);
      const [c] = await rows<{ comment: string }>(snap.conn, `SELECT comment FROM duckdb_columns() WHERE table_name = 'indicators' AND column_name = 'value_raw'`);
      expect(c.comment).toMatch(/指标值/);
      // views, macros and comments travel with the copy (snapshot_info adds its own 4 column comments)
      const [copy] = await rows<{ views: number; macros: number; comments: number }>(snap.conn, SCHEMA_SQL);
      expect(copy).toEqual({ ...working, comments: (working.comments as number) + 4 });
      expect(copy.macros).toBeGreaterThan(0);
    } finally {
      snap.close();
    }
    await expect(publishSnapshot(join(dir, 'missing.duckdb'))).rejects.toThrow(/no working database/);
  });

  it('resolves the read path: explicit file, snapshot folder, default fallback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-snap3-'));
    expect(resolveRead(join(dir, 'x.duckdb'))).toEqual({ path: join(dir, 'x.duckdb'), source: 'explicit' });
    expect(() => resolveRead(dir)).toThrow(/without a published snapshot/);
    const def = resolveRead();
    expect(['snapshot', 'working']).toContain(def.source);
    if (def.source === 'working') expect(existsSync(join(process.cwd(), 'data', 'snapshots', CURRENT))).toBe(false);
  });
});
