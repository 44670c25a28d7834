/** `jixiao sql`: the one-shot contract of issue 2, -c with several statements, the REPL, Chinese display widths. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, formatTable, runRepl } from '../cli/commands/sql.ts';
import { openWarehouse, rows, type Warehouse } from '../warehouse/db.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { openForReading } from '../warehouse/snapshot.ts';
import { ROOT, SEED } from './helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'jixiao-analyst-'));
const db = join(dir, 'w.duckdb');
const cli = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), ...args], { cwd: dir, encoding: 'utf8' });

let expected: { documents: number; indicators: number; placeholders: number };

beforeAll(async () => {
  const wh = await openWarehouse(db);
  for (const f of [SEED.s000, SEED.s001, SEED.s003, SEED.s004]) await ingestFile(wh.conn, f);
  [expected] = await rows<typeof expected>(
    wh.conn,
    `SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM indicators) AS indicators,
            (SELECT count(*) FROM indicators WHERE value_kind = 'placeholder') AS placeholders`,
  );
  wh.close();
});

describe('display widths', () => {
  it('counts CJK and full-width characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('承德高新区')).toBe(10);
    expect(displayWidth('≤100优')).toBe(6); // ≤ is narrow, 优 wide
    expect(displayWidth('（%）')).toBe(5);
  });

  it('aligns a table of Chinese text: every line has the same display width, numbers right-aligned', () => {
    const out = formatTable(['地区', 'n'], [['承德高新技术产业开发区', 454], ['曹妃甸区', 72]]);
    const lines = out.split('\n').slice(0, -1);
    // the last column holds right-aligned numbers, so header, rule and rows all end at the same column
    expect(new Set(lines.map(displayWidth))).toEqual(new Set([28]));
    expect(lines[3]).toMatch(/^曹妃甸区 {14} │  72$/);
    expect(out.split('\n').at(-1)).toBe('(2 rows)');
  });
});

describe('one-shot', () => {
  it('keeps the issue-2 form: jixiao sql "SELECT…" --db FILE --format json|csv', () => {
    const json = JSON.parse(cli('sql', 'SELECT count(*) AS n FROM indicators', '--db', db, '--format', 'json'));
    expect(json).toEqual([{ n: expected.indicators }]);
    const csv = cli('sql', "SELECT value_kind, count(*) AS n FROM indicators WHERE value_kind = 'placeholder' GROUP BY 1", '--db', db, '--format', 'csv');
    expect(csv.trim().split('\n')).toEqual(['value_kind,n', `placeholder,${expected.placeholders}`]);
  });

  it('-c runs several statements and prints each result', () => {
    const out = cli('sql', '-c', 'SELECT count(*) AS docs FROM documents; SELECT count(*) AS inds FROM indicators', '--db', db, '--format', 'csv');
    expect(out.trim().split(/\n+/)).toEqual(['docs', String(expected.documents), 'inds', String(expected.indicators)]);
  });

  it('says what to do when the file is held by a writer', async () => {
    const busy = join(dir, 'busy.duckdb');
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { openWarehouse } = await import(${JSON.stringify(join(ROOT, 'warehouse/db.ts'))});
      const wh = await openWarehouse(${JSON.stringify(busy)});
      console.log('holding');
      setTimeout(() => wh.close(), 60000);`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((res) => holder.stdout.on('data', (d) => String(d).includes('holding') && res()));
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), 'sql', '-c', 'SELECT 1', '--db', busy], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/being written by another process .*Read the published snapshot instead/);
    } finally {
      holder.kill();
    }
  });

  it('is read-only and says so', () => {
    expect(() => cli('sql', '-c', 'DELETE FROM documents', '--db', db)).toThrow(/read-only/i);
  });
});

describe('REPL', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await openForReading(db);
  });
  afterAll(() => wh.close());

  async function session(input: string, historyFile: string | null = null) {
    const inp = new PassThrough();
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const done = runRepl({ conn: wh.conn, input: inp, output: out, historyFile, source: db });
    inp.end(input);
    await done;
    return text;
  }

  it('.tables lists tables and views with their descriptions, .schema shows columns with comments', async () => {
    const out = await session('.tables\n.schema indicators\n');
    expect(out).toMatch(/^indicators +│ table/m);
    expect(out).toMatch(/Performance indicators \(绩效指标\)/);
    expect(out).toMatch(/^value_raw +│ VARCHAR +│ yes +│ Target value \(指标值\) as printed/m);
  });

  it('runs statements spread over lines, switches .mode, reports errors and carries on', async () => {
    const out = await session(`SELECT count(*)\n  AS n\n  FROM documents;\nSELEC oops;\n.mode csv\nSELECT 'x' AS a, 2 AS b;\n.quit\nSELECT 'after quit';\n`);
    expect(out).toMatch(new RegExp(`^n\\n─+\\n *${expected.documents}\\n\\(1 row\\)`, 'm'));
    expect(out).toMatch(/^Error: .*syntax error/m);
    expect(out).toContain('a,b\nx,2\n');
    expect(out).not.toContain('after quit');
  });

  it('keeps a history file', async () => {
    const hist = join(dir, 'history');
    await session('SELECT 1 AS one;\n.tables\n', hist);
    await session('SELECT 2 AS two;\n', hist);
    expect(existsSync(hist)).toBe(true);
    expect(readFileSync(hist, 'utf8').trim().split('\n')).toEqual(['SELECT 1 AS one;', '.tables', 'SELECT 2 AS two;']);
  });
});
