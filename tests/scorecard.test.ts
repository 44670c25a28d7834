/**
 * Scorecards on the four seeds: files per department-year, the HTML opens in Chromium without
 * console errors and with its charts drawn, the PDF holds the whole page (first and last lines).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, type Warehouse } from '../warehouse/db.ts';
import { ingestFile } from '../pipeline/ingest.ts';
import { runChecks } from '../warehouse/quality/index.ts';
import type { Scorecard } from '../warehouse/scorecard/data.ts';
import { buildScorecards, CHROMIUM, CHROMIUM_ARGS, type ScorecardResult } from '../warehouse/scorecard/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = path.join(ROOT, 'samples');
const FILES = ['000_f0d490b901e99830.txt', '001_5de93a2aee16ff21.txt', '003_cfa74effc3b5f03d.txt', '004_5951d4f30969a9c2.txt'];

let wh: Warehouse;
let out: string;
let res: ScorecardResult;
const docs: Record<string, string> = {};

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'jixiao-scorecard-'));
  wh = await openWarehouse(':memory:');
  for (const f of FILES) docs[f.slice(0, 3)] = (await ingestFile(wh.conn, path.join(SEEDS, f))).doc_id;
  await runChecks(wh.conn, { runId: 'sc' });
  res = await buildScorecards(wh.conn, { out });
}, 180_000);
afterAll(() => {
  wh?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const card = (c: { file: string }) => JSON.parse(readFileSync(path.join(out, `${c.file}.json`), 'utf8')) as Scorecard;

describe('scorecards on the seeds', () => {
  it('writes HTML, JSON, Markdown and PDF per department-year and an index ranking them', () => {
    // 承德高新区 2020 + 2022 (one department across the rename), 沧州临港 2026, 曹妃甸 2020.
    expect(res.cards).toHaveLength(4);
    for (const c of res.cards) for (const ext of ['html', 'json', 'md', 'pdf']) expect(existsSync(path.join(out, `${c.file}.${ext}`)), `${c.file}.${ext}`).toBe(true);
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    const order = [...res.cards].sort((a, b) => b.total - a.total).map((c) => index.indexOf(`href="${c.file}.html"`));
    expect(order.every((x) => x > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // ranked by total, best first
    const chengde = res.cards.filter((c) => c.region === '承德高新技术产业开发区');
    expect(chengde.map((c) => c.year).sort()).toEqual([2020, 2022]);
    expect(new Set(chengde.map((c) => c.dept_id)).size).toBe(1);
  });

  it('every deduction adds up and lists its offending cells with document and location', () => {
    for (const c of res.cards) {
      const sc = card(c);
      expect(sc.total).toBeGreaterThanOrEqual(0);
      expect(sc.total).toBeLessThanOrEqual(100);
      const sum = sc.dimensions.reduce((a, d) => a + d.score, 0);
      expect(sum).toBeCloseTo(sc.total, 1);
      for (const d of sc.deductions) {
        expect(d.findings.length).toBeGreaterThan(0);
        for (const f of d.findings) {
          expect(f.doc_id).toBeTruthy();
          expect(f.source).toBeTruthy();
          if (d.rule_id.startsWith('placeholder') || d.rule_id.startsWith('structure-level')) expect(f.line_no ?? f.page).not.toBeNull();
        }
      }
    }
    // 004 (曹妃甸): the 72 ≤100优 values are one deduction of 适当性.
    const c004 = card(res.cards.find((c) => c.region === '曹妃甸区')!);
    const grade = c004.deductions.find((d) => d.rule_id === 'placeholder-grade-value')!;
    expect(grade.dimension).toBe('适当性');
    expect(grade.n_findings).toBe(72);
    expect(grade.findings[0].value_raw).toBe('≤100优');
    // 2022 card of 承德 shows the trend over both years.
    const c2022 = card(res.cards.find((c) => c.year === 2022)!);
    expect(new Set(c2022.trend.map((t) => t.year))).toEqual(new Set([2020, 2022]));
  });

  it('the HTML opens in Chromium with no console errors and its charts drawn', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      for (const file of ['index', res.cards.find((c) => c.year === 2022)!.file]) {
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(String(e)));
        const failed: string[] = [];
        page.on('requestfailed', (r) => failed.push(r.url()));
        await page.goto(pathToFileURL(path.join(out, `${file}.html`)).href, { waitUntil: 'load' });
        expect(errors, file).toEqual([]);
        expect(failed, file).toEqual([]);
        const charts = await page.$$eval('figure > svg', (svgs) =>
          svgs.map((s) => ({ w: s.getBoundingClientRect().width, marks: s.querySelectorAll('.mark-rect path, .mark-line path, .mark-symbol path').length })),
        );
        expect(charts.length, file).toBeGreaterThanOrEqual(file === 'index' ? 1 : 3);
        for (const c of charts) {
          expect(c.w).toBeGreaterThan(100);
          expect(c.marks).toBeGreaterThan(0);
        }
        page.removeAllListeners();
      }
    } finally {
      await browser.close();
    }
  });

  it('the PDF has every page: first and last lines of the scorecard are in it', () => {
    const c = res.cards.find((x) => x.region === '曹妃甸区')!;
    const pdf = path.join(out, `${c.file}.pdf`);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(3); // 72 placeholder rows alone fill more than a page
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('曹妃甸区市场监督管理局第六分局');
    expect(text).toContain('生成时间'); // the last line of the page
    const sc = card(c);
    const lastRule = sc.deductions[sc.deductions.length - 1];
    expect(text).toContain(lastRule.title_zh.replace(/\s+/g, ''));
    // One page per form feed in pdftotext output.
    const ff = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).split('\f').length - 1;
    expect(ff).toBe(pages);
  });
});
