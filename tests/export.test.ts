/** `jixiao export`: Parquet (hive-partitioned by year and region), CSV and Arrow IPC read back with the warehouse's row counts and values. */
import { tableFromIPC } from 'apache-arrow';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, rows, type Warehouse } from '../warehouse/db.ts';
import { exportWarehouse, listRelations, writeArrowFile } from '../warehouse/export.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { ROOT, SEED } from './helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'jixiao-export-'));
const db = join(dir, 'w.duckdb');
let wh: Warehouse;
let counts: Map<string, number>;

beforeAll(async () => {
  const w = await openWarehouse(db);
  for (const f of [SEED.s000, SEED.s001, SEED.s003, SEED.s004]) await ingestFile(w.conn, f);
  w.close();
  wh = await openWarehouse(db, { readOnly: true });
  counts = new Map();
  for (const r of await listRelations(wh.conn)) counts.set(r.name, (await rows<{ n: number }>(wh.conn, `SELECT count(*) AS n FROM "${r.name}"`))[0].n);
});
afterAll(() => wh.close());

const q = async <T = Record<string, unknown>>(sql: string) => rows<T>(wh.conn, sql);

describe('parquet', () => {
  it('every table and view reads back with read_parquet with the same row count; partitions follow documents', async () => {
    const out = join(dir, 'parquet');
    const res = await exportWarehouse(wh.conn, { format: 'parquet', outDir: out });
    expect(res.tables.map((t) => t.table).sort()).toEqual([...counts.keys()].sort());
    for (const t of res.tables) {
      const [{ n }] = await q<{ n: number }>(`SELECT count(*) AS n FROM read_parquet('${join(out, t.table)}/**/*.parquet', hive_partitioning = true)`);
      expect({ table: t.table, n }).toEqual({ table: t.table, n: counts.get(t.table) });
      expect(t.rows).toBe(counts.get(t.table));
    }
    const ind = res.tables.find((t) => t.table === 'indicators')!;
    expect(ind.partition_by).toEqual(['year', 'region']);
    expect(ind.added_columns).toEqual(['year', 'region']);
    // one folder per year the documents have, one region folder per region of that year
    const years = (await q<{ year: number }>('SELECT DISTINCT year FROM documents ORDER BY 1')).map((r) => `year=${r.year}`);
    expect(readdirSync(join(out, 'indicators')).sort()).toEqual(years.sort());
    // partition values and column values survive: per-region counts and sums equal the warehouse's
    const viaParquet = await q(
      `SELECT year, region, count(*) AS n, round(sum(value_num), 4) AS s
       FROM read_parquet('${join(out, 'indicators')}/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL`,
    );
    const direct = await q(`SELECT d.year, d.region, count(*) AS n, round(sum(i.value_num), 4) AS s FROM indicators i JOIN documents d USING (doc_id) GROUP BY ALL ORDER BY ALL`);
    expect(viaParquet).toEqual(direct);
    expect(direct.some((r) => /[\u4e00-\u9fff]/.test(String(r.region)))).toBe(true);
    // a single file read on its own still carries year and region
    const one = readdirSync(join(out, 'projects', years[0]))[0];
    const file = join(out, 'projects', years[0], one, readdirSync(join(out, 'projects', years[0], one))[0]);
    const cols = (await q<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((c) => c.column_name);
    expect(cols).toEqual(expect.arrayContaining(['doc_id', 'budget_wan', 'year', 'region']));
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).tables).toHaveLength(counts.size);
  });
});

describe('arrow', () => {
  it('Arrow IPC files read back with apache-arrow with the same rows, types and values', async () => {
    const out = join(dir, 'arrow');
    const ind0 = () => tableFromIPC(readFileSync(join(out, 'indicators.arrow')));
    await exportWarehouse(wh.conn, { format: 'arrow', outDir: out, batchRows: 100 });
    const rels = new Map((await listRelations(wh.conn)).map((r) => [r.name, r]));
    for (const [t, n] of counts) {
      const table = tableFromIPC(readFileSync(join(out, `${t}.arrow`)));
      expect({ t, n: table.numRows }).toEqual({ t, n });
      // every column, in order, also for empty tables (the file still carries the schema)
      expect(table.schema.fields.map((f) => f.name)).toEqual(rels.get(t)!.columns.map((c) => c.name));
    }
    // no intermediate Parquet left behind
    expect(readdirSync(out).filter((f) => !f.endsWith('.arrow') && f !== 'manifest.json')).toEqual([]);
    // rows in the table's order: the first and last doc_id / indicator_seq are the warehouse's
    const seq = ind0().getChild('indicator_seq')!.toArray() as Int32Array;
    const direct = await q<{ s: number }>('SELECT indicator_seq AS s FROM indicators');
    expect(Array.from(seq)).toEqual(direct.map((r) => r.s));
    const ind = ind0();
    expect(ind.batches.length).toBeGreaterThan(1); // batchRows 100 → several record batches
    expect(String(ind.schema.fields.find((f) => f.name === 'value_num')!.type)).toBe('Float64');
    expect(String(ind.schema.fields.find((f) => f.name === 'project_seq')!.type)).toBe('Int32');
    expect(String(ind.schema.fields.find((f) => f.name === 'level1_carried')!.type)).toBe('Bool');
    const nums = ind.getChild('value_num')!;
    let s = 0;
    for (let i = 0; i < ind.numRows; i++) s += (nums.get(i) as number | null) ?? 0;
    const [{ total }] = await q<{ total: number }>('SELECT sum(value_num) AS total FROM indicators');
    expect(s).toBeCloseTo(total, 6);
    expect(s).toBeGreaterThan(0);
    const raw = ind.getChild('value_raw')!.toArray() as string[];
    const [{ n: placeholders }] = await q<{ n: number }>(`SELECT count(*) AS n FROM indicators WHERE value_raw = '≤100优'`);
    expect(raw.filter((v) => v === '≤100优').length).toBe(placeholders);
    const docs = tableFromIPC(readFileSync(join(out, 'documents.arrow')));
    expect(String(docs.schema.fields.find((f) => f.name === 'ingested_at')!.type)).toMatch(/Timestamp/);
    expect(docs.getChild('ingested_at')!.get(0)).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });
});

describe('arrow types', () => {
  it('maps DuckDB types to Arrow and keeps nulls, CJK text, dates, timestamps, decimals and nested values', async () => {
    const file = join(dir, 'types.arrow');
    const n = await writeArrowFile(
      wh.conn,
      `SELECT * FROM (VALUES
         (DATE '2024-02-29', TIMESTAMP '2026-11-21 19:32:59', '承德高新区', true, 12.50::DECIMAL(10, 2), 9007199254740993::BIGINT, 7::TINYINT, [1, 2], {'a': '甲'}),
         (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (DATE '1999-12-31', TIMESTAMP '2000-01-01 00:00:00', '', false, -0.01::DECIMAL(10, 2), -1::BIGINT, -7::TINYINT, [], {'a': NULL})
       ) t(d, ts, s, b, dec, big, tiny, list, st)`,
      file,
      2,
    );
    expect(n).toBe(3);
    const t = tableFromIPC(readFileSync(file));
    expect(t.batches.length).toBe(2);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'd:Date32<DAY>', 'ts:Timestamp<MILLISECOND>', 's:Utf8', 'b:Bool', 'dec:Float64', 'big:Int64', 'tiny:Int8', 'list:Utf8', 'st:Utf8',
    ]);
    const col = (name: string) => [0, 1, 2].map((i) => t.getChild(name)!.get(i));
    expect(col('d')).toEqual([Date.UTC(2024, 1, 29), null, Date.UTC(1999, 11, 31)]);
    expect(col('ts')).toEqual([Date.UTC(2026, 10, 21, 19, 32, 59), null, Date.UTC(2000, 0, 1)]);
    expect(col('s')).toEqual(['承德高新区', null, '']);
    expect(col('b')).toEqual([true, null, false]);
    expect(col('dec')).toEqual([12.5, null, -0.01]);
    expect(col('big')).toEqual([9007199254740993n, null, -1n]);
    expect(col('tiny')).toEqual([7, null, -7]);
    expect(col('list')).toEqual(['[1,2]', null, '[]']);
    expect(JSON.parse(col('st')[0] as string)).toEqual({ a: '甲' });
  });
});

describe('csv and the CLI', () => {
  it('jixiao export --format csv writes one CSV per table that DuckDB reads back', () => {
    const out = join(dir, 'csv');
    const log = execFileSync(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), 'export', '--format', 'csv', '--out', out, '--db', db, '--tables', 'projects', 'indicators'], { encoding: 'utf8' });
    expect(log).toMatch(/2 tables\/views, \d+ rows/);
    expect(existsSync(join(out, 'documents.csv'))).toBe(false);
    const lines = readFileSync(join(out, 'projects.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['doc_id', 'project_seq', 'scope', 'code']);
    return q<{ n: number }>(`SELECT count(*) AS n FROM read_csv('${join(out, 'indicators.csv')}', header = true)`).then(([{ n }]) => expect(n).toBe(counts.get('indicators')));
  });
});
