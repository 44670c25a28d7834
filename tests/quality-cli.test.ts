/**
 * The quality commands end to end through the CLI: jixiao rules, jixiao check, jixiao scorecard.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../warehouse/db.ts';
import { ingestFile } from '../pipeline/ingest.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = path.join(ROOT, 'samples');
const dir = mkdtempSync(path.join(tmpdir(), 'jixiao-qcli-'));
const jixiao = (...args: string[]) => execFileSync(process.execPath, [path.join(ROOT, 'bin/jixiao.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quality CLI', () => {
  it('jixiao rules lists the catalog with rationale and reference', () => {
    const rules = JSON.parse(jixiao('rules', '--format', 'json')) as { id: string; rationale: string; reference: string }[];
    expect(rules.length).toBeGreaterThanOrEqual(25);
    expect(rules.find((r) => r.id === 'placeholder-grade-value')?.reference).toContain('财预〔2021〕101号');
    expect(jixiao('rules', '--id', 'structure-duplicate-project-code')).toContain('SELECT');
  });

  it('jixiao check then jixiao scorecard on seed 004', async () => {
    const db = path.join(dir, 'w.duckdb');
    const wh = await openWarehouse(db);
    await ingestFile(wh.conn, path.join(SEEDS, '004_5951d4f30969a9c2.txt'));
    wh.close();
    const res = JSON.parse(jixiao('check', '--db', db, '--json', '--run-id', 'cli')) as { runId: string; findings: number; byRule: Record<string, number>; errors: unknown[] };
    expect(res.runId).toBe('cli');
    expect(res.errors).toEqual([]);
    expect(res.byRule['placeholder-grade-value']).toBe(72);
    const out = path.join(dir, 'cards');
    const text = jixiao('scorecard', '--db', db, '--out', out, '--no-pdf');
    expect(text).toContain('曹妃甸区市场监督管理局第六分局');
    const files = readdirSync(out).sort();
    expect(files.filter((f) => /\.html$/.test(f))).toHaveLength(2); // one department-year + index
    const index = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8'));
    expect(index.run_id).toBe('cli');
    expect(index.scorecards[0].total).toBeLessThan(100);
  });
});
