/**
 * The result step of `jixiao start` (cli/results.ts) on a warehouse made from the seed samples and
 * published as a snapshot, as the nightly job leaves it: it writes out/scorecards/index.html and
 * out/notebooks/index.html whose links all resolve, and the `jixiao sql` line it prints runs on the
 * run's snapshot. (The whole `jixiao start`, crawl included, runs in tests/notebooks.test.ts.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunResults, type RunResults } from '../cli/results.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { openWarehouse } from '../warehouse/db.ts';
import { runChecks } from '../warehouse/quality/index.ts';
import { publishSnapshot } from '../warehouse/snapshot.ts';
import { ROOT, SEED } from './helpers/paths.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'jixiao-start-results-'));
const db = join(dir, 'data', 'w.duckdb');
let res: RunResults;
const logged: string[] = [];

/** Local hrefs of an HTML page (not anchors, not absolute URLs). */
const hrefs = (html: string) => [...html.matchAll(/href="([^"#]+)"/g)].map((m) => m[1]).filter((h) => !/^[a-z]+:/i.test(h));

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dirname(db), { recursive: true });
  const wh = await openWarehouse(db);
  try {
    for (const f of Object.values(SEED)) await ingestFile(wh.conn, f);
    await runChecks(wh.conn, { runId: 'start-results' });
  } finally {
    wh.close();
  }
  await publishSnapshot(db);
  res = await writeRunResults({ db, out: join(dir, 'out'), log: (l) => logged.push(l) });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the first run shows its results', () => {
  it('writes the scorecard index and one scorecard per department-year, every link resolving', () => {
    expect(res.scorecardIndex).toBe(join(dir, 'out', 'scorecards', 'index.html'));
    const index = readFileSync(res.scorecardIndex, 'utf8');
    const links = hrefs(index).filter((h) => h.endsWith('.html'));
    // the four seeds: 承德高新区 2020 and 2022, 沧州临港 2026, 曹妃甸 2020
    expect(res.scorecards).toBe(4);
    expect(new Set(links).size).toBe(4);
    for (const h of links) expect(existsSync(resolve(dirname(res.scorecardIndex), h)), h).toBe(true);
    expect(logged.join('\n')).toMatch(/4 scorecards from check run start-results/);
  });

  it('renders every notebook from the snapshot and an index linking them', () => {
    const index = readFileSync(res.notebookIndex, 'utf8');
    const links = hrefs(index);
    expect(links.length).toBeGreaterThanOrEqual(5);
    for (const h of links) expect(existsSync(resolve(dirname(res.notebookIndex), h)), h).toBe(true);
    expect(links).toContain('00_overview.html');
    expect(res.notebook).toBe(join(dir, 'out', 'notebooks', '00_overview.html'));
    // read from the published snapshot, not the working database
    expect(readFileSync(res.notebook, 'utf8')).toMatch(/snapshot jixiao-\d{8}T\d{9}Z-/);
  });

  it('ends with the three things to open or type next', () => {
    const text = res.lines.join('\n');
    expect(text).toContain('out/scorecards/index.html');
    expect(text).toContain('out/notebooks/00_overview.html');
    expect(text).toMatch(/npx jixiao sql --db \S+snapshots 'SELECT rule_id/);
  });

  it('the suggested jixiao sql works on the run\'s snapshot', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), ...res.sqlArgs, '--format', 'json'], { cwd: process.cwd() });
    const counts = JSON.parse(stdout) as { rule_id: string; findings: number }[];
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((c) => typeof c.rule_id === 'string' && Number(c.findings) > 0)).toBe(true);
  }, 60_000);
});
