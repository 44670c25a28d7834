/**
 * Scorecards on the four seeds and a 上海 budget PDF without any 绩效目标表: files per
 * department-year named by region, department and year, the HTML opens in Chromium without console
 * errors and with its charts drawn, the PDF holds the whole page (first and last lines), and the
 * department-year without indicators is 不可评价 in its scorecard, JSON and the ranking.
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
import { computeScores } from '../warehouse/quality/scoring.ts';
import { rows } from '../warehouse/db.ts';
import type { Scorecard, ScorecardSummary } from '../warehouse/scorecard/data.ts';
import { assignStems, cardStem } from '../warehouse/scorecard/names.ts';
import { CORPUS } from './helpers/paths.ts';
import { buildScorecards, CHROMIUM, CHROMIUM_ARGS, type ScorecardResult } from '../warehouse/scorecard/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = path.join(ROOT, 'samples');
const FILES = ['000_f0d490b901e99830.txt', '001_5de93a2aee16ff21.txt', '003_cfa74effc3b5f03d.txt', '004_5951d4f30969a9c2.txt'];
// 20 pages of 部门预算 whose text says 9 projects have targets, but which prints no 绩效目标表
// (pdftotext: no 三级指标 / 指标值 / 绩效目标表 anywhere; MANIFEST indicator_tables = no).
const SHANGHAI = path.join(CORPUS, 'pdf', '001_上海', '2026年上海市审计局_部门预算.pdf');

let wh: Warehouse;
let out: string;
let res: ScorecardResult;
const docs: Record<string, string> = {};

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'jixiao-scorecard-'));
  wh = await openWarehouse(':memory:');
  for (const f of FILES) docs[f.slice(0, 3)] = (await ingestFile(wh.conn, path.join(SEEDS, f))).doc_id;
  docs.sh = (await ingestFile(wh.conn, SHANGHAI)).doc_id;
  await runChecks(wh.conn, { runId: 'sc' });
  res = await buildScorecards(wh.conn, { out });
}, 180_000);
afterAll(() => {
  wh?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const card = (c: { file: string }) => JSON.parse(readFileSync(path.join(out, `${c.file}.json`), 'utf8')) as Scorecard;
const ranked = () => res.cards.filter((c) => c.total != null);
const shanghai = () => res.cards.find((c) => c.department.includes('审计局'))!;

describe('scorecards on the seeds', () => {
  it('writes HTML, JSON, Markdown and PDF per department-year and an index ranking them', () => {
    // 承德高新区 2020 + 2022 (one department across the rename), 沧州临港 2026, 曹妃甸 2020, 上海市审计局 2026.
    expect(res.cards).toHaveLength(5);
    expect(ranked()).toHaveLength(4);
    for (const c of res.cards) for (const ext of ['html', 'json', 'md', 'pdf']) expect(existsSync(path.join(out, `${c.file}.${ext}`)), `${c.file}.${ext}`).toBe(true);
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    const order = ranked().sort((a, b) => b.total! - a.total!).map((c) => index.indexOf(`href="${c.file}.html"`));
    expect(order.every((x) => x > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order); // ranked by total, best first
    const chengde = res.cards.filter((c) => c.region === '承德高新技术产业开发区');
    expect(chengde.map((c) => c.year).sort()).toEqual([2020, 2022]);
    expect(new Set(chengde.map((c) => c.dept_id)).size).toBe(1);
  });

  it('every deduction adds up and lists its offending cells with document and location', () => {
    for (const c of ranked()) {
      const sc = card(c);
      expect(sc.total).toBeGreaterThanOrEqual(0);
      expect(sc.total).toBeLessThanOrEqual(100);
      const sum = sc.dimensions.reduce((a, d) => a + d.score!, 0);
      expect(sum).toBeCloseTo(sc.total!, 1);
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
      for (const file of ['index', res.cards.find((c) => c.year === 2022)!.file, shanghai().file]) {
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

describe('no score without evidence', () => {
  it('a department-year without any 绩效目标表 is 不可评价 in its JSON, loses the 公开完整性 points and is not ranked', () => {
    const c = shanghai();
    expect(c.year).toBe(2026);
    expect(c.total).toBeNull();
    expect(c.assessable).toBe(false);
    expect(c.grade).toBe('不可评价');
    expect(c.reason).toContain('未公开绩效目标表');
    const sc = card(c);
    expect(sc.total).toBeNull();
    expect(sc.evidence).toEqual({ documents: 1, unreadable: 0, target_tables: 0, projects: 0, indicators: 0 });
    const dim = Object.fromEntries(sc.dimensions.map((d) => [d.dimension, d]));
    for (const d of ['完整性', '相关性', '适当性', '可行性']) {
      expect(dim[d].assessable, d).toBe(false);
      expect(dim[d].score, d).toBeNull();
      expect(dim[d].reason, d).toContain('无可评价的');
    }
    // 公开完整性 is assessable (the document is there) and loses its points for the missing targets.
    expect(dim['公开完整性'].assessable).toBe(true);
    expect(dim['公开完整性'].score).toBe(0);
    const nt = sc.deductions.find((d) => d.rule_id === 'completeness-no-project-tables')!;
    expect(nt.deduction).toBe(15);
    expect(nt.findings[0].doc_id).toBe(docs.sh);
  });

  it('its HTML, Markdown and PDF say 不可评价 with the reason; the ranking lists it apart, after the ranked table', () => {
    const c = shanghai();
    const html = readFileSync(path.join(out, `${c.file}.html`), 'utf8');
    expect(html).toMatch(/<div class="big na" id="total">不可评价<\/div>/);
    expect(html).toContain('id="not-assessable"');
    expect(html).toContain('未公开绩效目标表');
    expect(html).toContain('绩效目标表 0 张，项目 0 个，指标 0 条');
    const md = readFileSync(path.join(out, `${c.file}.md`), 'utf8');
    expect(md).toContain('总分 **不可评价**');
    expect(md).toMatch(/\| 完整性 \| 25 \| 不可评价 \|/);
    expect(md).toContain('本部门年度所有文件均无绩效目标表：扣除公开完整性权重的 100%');
    expect(html).toContain('id="no-targets"');
    // the seeds carry targets: no such note on their cards
    for (const r of ranked()) expect(readFileSync(path.join(out, `${r.file}.html`), 'utf8')).not.toContain('id="no-targets"');
    const pdf = execFileSync('pdftotext', [path.join(out, `${c.file}.pdf`), '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(pdf).toContain('不可评价：未公开绩效目标表');
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    const apart = index.indexOf('<h2 id="not-assessable">');
    expect(apart).toBeGreaterThan(0);
    expect(index.indexOf(`href="${c.file}.html"`)).toBeGreaterThan(apart);
    for (const r of ranked()) expect(index.indexOf(`href="${r.file}.html"`)).toBeLessThan(apart);
    expect(index.slice(apart)).toContain('未公开绩效目标表');
    const json = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')) as { scorecards: ScorecardSummary[] };
    const entry = json.scorecards.find((x) => x.file === c.file)!;
    expect(entry).toMatchObject({ total: null, assessable: false, grade: '不可评价' });
    expect(entry.reason).toContain('未公开绩效目标表');
    // the seeds with indicators are assessed: every dimension has a score
    for (const r of ranked()) expect(Object.values(r.dims).every((v) => typeof v === 'number')).toBe(true);
  });

  it('computeScores restricted to some department-years rebuilds exactly those and leaves the others alone', async () => {
    const all = async () => rows(wh.conn, `SELECT * FROM scores WHERE run_id = 'sc' ORDER BY dept_id, year, dimension`);
    const before = await all();
    const sh = shanghai();
    const seed = ranked()[0];
    const other = ranked()[1];
    await wh.conn.run(`UPDATE scores SET score = -1, reason = 'stale' WHERE run_id = 'sc' AND dept_id IN ('${sh.dept_id}', '${seed.dept_id}', '${other.dept_id}')`);
    await wh.conn.run(`DELETE FROM score_deductions WHERE run_id = 'sc' AND dept_id = '${sh.dept_id}'`);
    const n = await computeScores(wh.conn, 'sc', undefined, {
      deptYears: [
        { dept_id: sh.dept_id, year: sh.year },
        { dept_id: seed.dept_id, year: seed.year },
      ],
    });
    expect(n).toBe(2);
    const after = await all();
    const touched = (r: Record<string, unknown>) => [sh.dept_id, seed.dept_id].includes(r.dept_id as string) && [sh.year, seed.year].includes(r.year as number);
    expect(after.filter(touched)).toEqual(before.filter(touched));
    // the department-year outside the scope keeps what it had (here: the stale marks)
    const untouched = after.filter((r) => r.dept_id === other.dept_id && r.year === other.year);
    expect(untouched.length).toBe(6);
    expect(untouched.every((r) => r.score === -1)).toBe(true);
    await computeScores(wh.conn, 'sc');
    expect(await all()).toEqual(before);
  });
});

describe('scorecard file names', () => {
  it('say region, department and year, and every card has its own', () => {
    const names = res.cards.map((c) => c.file);
    expect(new Set(names).size).toBe(names.length);
    for (const c of res.cards) {
      expect(c.file).toMatch(new RegExp(`-${c.year}$`));
      expect(c.file).not.toMatch(/[\/\\:*?"<>|\s]/);
    }
    expect(shanghai().file).toBe('上海市-审计局-2026');
    const cfd = res.cards.find((c) => c.region === '曹妃甸区')!;
    expect(cfd.file).toBe('曹妃甸区-市场监督管理局第六分局-2020');
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const c of res.cards) expect(index).toContain(`href="${c.file}.html"`);
  });

  it('are safe on file systems and unique when two department-years collide', () => {
    expect(cardStem('承德高新区', '承德高新区应急管理局', 2022)).toBe('承德高新区-应急管理局-2022');
    expect(cardStem(null, 'a/b:c*?"<>|d', null)).toBe('a_b_c_d-年度不详');
    expect(cardStem('..区', ' 局. ', 2020)).toBe('区-局-2020');
    expect(Buffer.byteLength(cardStem('区', '很长的部门名称'.repeat(40), 2020))).toBeLessThanOrEqual(150);
    const stems = assignStems([
      { dept_id: 'aaaaaaaaaaaa', year: 2022, region: '承德高新区', department: '应急管理局' },
      { dept_id: 'bbbbbbbbbbbb', year: 2022, region: '承德高新区', department: '应急管理局' },
      { dept_id: 'cccccccccccc', year: 2022, region: 'X区', department: 'Ab局' },
      { dept_id: 'dddddddddddd', year: 2022, region: 'X区', department: 'AB局' },
      { dept_id: 'aaaaaaaaaaaa', year: 2021, region: '承德高新区', department: '应急管理局' },
    ]);
    expect([...stems.values()]).toEqual([
      '承德高新区-应急管理局-2022-aaaaaaaaaaaa',
      '承德高新区-应急管理局-2022-bbbbbbbbbbbb',
      'X区-Ab局-2022-cccccccccccc',
      'X区-AB局-2022-dddddddddddd',
      '承德高新区-应急管理局-2021',
    ]);
  });
});
