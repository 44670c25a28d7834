/**
 * Scorecards per department-year: HTML (Chinese, charts as SVG drawn at build time), JSON,
 * Markdown and a PDF printed by Chromium, plus index.html ranking every department-year written.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadScorecardConfig } from '../quality/scoring.ts';
import { latestRun, loadScorecard, selectDepartmentYears, type Filter, type ScorecardSummary } from './data.ts';
import { assignStems, stemOf } from './names.ts';
import { renderIndexHtml, renderScorecardHtml, renderScorecardMarkdown } from './render.ts';

export const CHROMIUM = process.env.JIXIAO_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface ScorecardOptions extends Filter {
  out: string;
  /** Print each HTML page to PDF with Chromium (default true). */
  pdf?: boolean;
  runId?: string;
  onFile?: (file: string) => void;
}

export interface ScorecardResult {
  runId: string;
  out: string;
  cards: ScorecardSummary[];
  files: string[];
}

export { cardStem } from './names.ts';

/** Print HTML files to PDF (A4, backgrounds) with one headless Chromium. */
export async function printPdfs(htmlFiles: string[]): Promise<string[]> {
  if (!htmlFiles.length) return [];
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (install the Debian package chromium, or set JIXIAO_CHROMIUM)`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const out: string[] = [];
  try {
    const page = await browser.newPage();
    for (const f of htmlFiles) {
      await page.goto(pathToFileURL(resolve(f)).href, { waitUntil: 'load' });
      const pdf = f.replace(/\.html$/, '.pdf');
      await page.pdf({ path: pdf, format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
      out.push(pdf);
    }
  } finally {
    await browser.close();
  }
  return out;
}

export async function buildScorecards(conn: DuckDBConnection, opts: ScorecardOptions): Promise<ScorecardResult> {
  const runId = opts.runId ?? (await latestRun(conn));
  if (!runId) throw new Error('no quality check run in this warehouse: run `jixiao check` first');
  const cfg = loadScorecardConfig();
  const dys = await selectDepartmentYears(conn, runId, opts);
  const stems = assignStems(dys);
  mkdirSync(opts.out, { recursive: true });
  const cards: ScorecardSummary[] = [];
  const files: string[] = [];
  const htmlFiles: string[] = [];
  const write = (name: string, body: string) => {
    const f = join(opts.out, name);
    writeFileSync(f, body);
    files.push(f);
    opts.onFile?.(f);
    return f;
  };
  for (const dy of dys) {
    const sc = await loadScorecard(conn, runId, dy.dept_id, dy.year, cfg);
    const stem = stemOf(stems, dy);
    htmlFiles.push(write(`${stem}.html`, await renderScorecardHtml(sc)));
    write(`${stem}.json`, JSON.stringify(sc, null, 2));
    write(`${stem}.md`, renderScorecardMarkdown(sc));
    cards.push({
      dept_id: sc.dept_id,
      department: sc.department,
      region: sc.region,
      year: sc.year,
      total: sc.total,
      grade: sc.grade,
      assessable: sc.assessable,
      reason: sc.reason,
      dims: Object.fromEntries(sc.dimensions.map((d) => [d.dimension, d.score])),
      file: stem,
    });
  }
  const dims = Object.keys(cfg.dimensions);
  write('index.html', await renderIndexHtml(cards, dims, runId));
  write('index.json', JSON.stringify({ run_id: runId, weights: cfg, scorecards: cards }, null, 2));
  if (opts.pdf !== false) for (const p of await printPdfs(htmlFiles)) {
    files.push(p);
    opts.onFile?.(p);
  }
  return { runId, out: opts.out, cards, files };
}
