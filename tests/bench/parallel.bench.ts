/**
 * Ingest on every core: pages/s of the whole ingest (extract + transform in the document pool,
 * load by one writer, in order) with 1 worker thread and with as many as there are cores, next
 * to poppler's `pdftotext -layout` on the same files (plain text, no table structure), one file
 * at a time and as many at once as there are cores.
 *
 *   npm run bench -- parallel            (or: npx jixiao bench parallel)
 *   JIXIAO_CORPUS=DIR …                  the PDFs under DIR/pdf instead of tests/corpus/pdf
 *   JIXIAO_BENCH_LIMIT=10 …              only the first N files
 *
 * Each pool's threads are started and warmed on the first file before the clock starts (a run
 * pays that once: about a second per thread).
 *
 * Scanned files (pdftotext reads < 10 characters a page) are OCR'd by jixiao and read as nothing
 * by pdftotext: the all-files ratio includes them, then the text PDFs are timed again on their own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import PQueue from 'p-queue';
import { openWarehouse } from '../../warehouse/db.ts';
import { ingestFiles } from '../../pipeline/ingest.ts';
import { DocumentPool } from '../../pipeline/pool.ts';
import { BENCH_CORPUS, benchPdfFiles } from './corpus.ts';

const exec = promisify(execFile);
const CORPUS = BENCH_CORPUS;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * CPU seconds of the child processes this process has waited for (OCR's pdftoppm and tesseract,
 * pdftotext): cutime + cstime of /proc/self/stat, in USER_HZ (100) ticks; null off Linux.
 */
function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return null;
  }
}

async function ingestWith(jobs: number, files: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-bench-parallel-'));
  const wh = await openWarehouse(join(dir, 'bench.duckdb'));
  const pool = new DocumentPool(jobs);
  try {
    // Start and warm every thread (tsx, pdf.js) before timing.
    await Promise.all(Array.from({ length: jobs }, () => pool.process(readFileSync(files[0]), files[0])));
    const c0 = cpuSeconds();
    const k0 = childCpuSeconds();
    const t0 = performance.now();
    const results = await ingestFiles(wh.conn, files, { pool, jobs });
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    const k1 = childCpuSeconds();
    const childCpu = k0 == null || k1 == null ? null : k1 - k0;
    const pages = results.reduce((a, r) => a + (r.pages ?? 0), 0);
    const pagesOf = new Map(results.map((r) => [r.source, r.pages ?? 0]));
    const rows = results.reduce((a, r) => a + r.projects + r.indicators + r.budget_lines, 0);
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return { wall, cpu, childCpu, pages, pagesOf, rows, statuses };
  } finally {
    pool.stop();
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdftotext -layout over the files, `jobs` at once: wall seconds and the characters it read per file. */
async function pdftotext(files: string[], jobs: number) {
  const q = new PQueue({ concurrency: jobs });
  const chars = new Map<string, number>();
  const k0 = childCpuSeconds();
  const t0 = performance.now();
  await Promise.all(
    files.map((f) =>
      q.add(async () => {
        try {
          const { stdout } = await exec('pdftotext', ['-layout', f, '-'], { maxBuffer: 256 * 1024 * 1024 });
          chars.set(f, stdout.replace(/\s/g, '').length);
        } catch {
          chars.set(f, 0); // only its time is compared
        }
      }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const k1 = childCpuSeconds();
  return { wall, cpu: k0 == null || k1 == null ? null : k1 - k0, chars };
}

export async function run(): Promise<void> {
  const files = benchPdfFiles();
  const cores = availableParallelism();
  console.log(`${files.length} PDFs from ${CORPUS}/pdf, ${cores} cores (timings on a shared machine are noisy: compare within one run)`);
  let pages = 0;
  const line = (label: string, wall: number, extra = '') => console.log(`${label.padEnd(40)} ${wall.toFixed(1).padStart(7)} s wall  ${(pages / wall).toFixed(1).padStart(7)} pages/s${extra}`);
  // jixiao first: it counts the pages the other lines are divided by.
  const one = await ingestWith(1, files);
  pages = one.pages;
  console.log(`all files — pages: ${pages}; rows: ${one.rows} (project + indicator + budget); statuses: ${JSON.stringify(one.statuses)}`);
  line('jixiao ingest, 1 worker', one.wall, `  (CPU of all threads ${one.cpu.toFixed(1)} s, OCR processes apart)`);
  const all = cores > 1 ? await ingestWith(cores, files) : one;
  line(`jixiao ingest, ${cores} workers`, all.wall, `  (CPU of all threads ${all.cpu.toFixed(1)} s, OCR processes apart)`);
  const pt1 = await pdftotext(files, 1);
  line('pdftotext -layout, 1 at a time', pt1.wall);
  const ptN = await pdftotext(files, cores);
  line(`pdftotext -layout, ${cores} at a time`, ptN.wall);
  console.log(`speed-up ${cores} workers / 1 worker: ${(one.wall / all.wall).toFixed(2)}×`);
  console.log(`ratio, all files: jixiao (${cores} workers) / pdftotext 1 at a time: ${(all.wall / pt1.wall).toFixed(2)}× its time (goal ≤ 6×)`);
  console.log(`ratio, all files: jixiao (${cores} workers) / pdftotext ${cores} at a time: ${(all.wall / ptN.wall).toFixed(2)}× its time`);
  // CPU time is what a loaded machine changes least: the same ratio by CPU seconds.
  const cpuLine = (label: string, jx: { cpu: number; childCpu: number | null }, pt: { cpu: number | null }) => {
    if (jx.childCpu == null || pt.cpu == null || !pt.cpu) return;
    const total = jx.cpu + jx.childCpu;
    console.log(`CPU, ${label}: jixiao ${total.toFixed(1)} s (threads ${jx.cpu.toFixed(1)} s + OCR processes ${jx.childCpu.toFixed(1)} s), pdftotext ${pt.cpu.toFixed(1)} s: ${(total / pt.cpu).toFixed(2)}× its CPU`);
  };
  cpuLine(`all files, ${cores} workers`, all, pt1);
  if (JSON.stringify(one.statuses) !== JSON.stringify(all.statuses) || one.rows !== all.rows) console.log(`WARNING: 1 worker and ${cores} workers disagree: ${JSON.stringify(all.statuses)}, ${all.rows} rows`);

  // Scanned files are another regime: pdftotext reads (almost) nothing there, while jixiao OCRs
  // every page, so a ratio over them compares work with none. The same figures without them:
  const scanned = files.filter((f) => (pt1.chars.get(f) ?? 0) < 10 * Math.max(1, one.pagesOf.get(f) ?? 1));
  if (!scanned.length) return;
  const text = files.filter((f) => !scanned.includes(f));
  const ocrPages = scanned.reduce((a, f) => a + (one.pagesOf.get(f) ?? 0), 0);
  console.log(`scanned (pdftotext reads < 10 characters a page; jixiao OCRs them): ${scanned.length} files, ${ocrPages} pages — left out below`);
  const textRun = await ingestWith(cores, text);
  pages = textRun.pages;
  const ptText = await pdftotext(text, 1);
  console.log(`text PDFs only — ${text.length} files, pages: ${pages}`);
  line(`jixiao ingest, ${cores} workers`, textRun.wall);
  line('pdftotext -layout, 1 at a time', ptText.wall);
  console.log(`ratio, text PDFs: jixiao (${cores} workers) / pdftotext 1 at a time: ${(textRun.wall / ptText.wall).toFixed(2)}× its time (goal ≤ 6×)`);
  cpuLine(`text PDFs, ${cores} workers`, textRun, ptText);
}
