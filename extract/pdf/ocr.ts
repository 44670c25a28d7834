/**
 * OCR for pages without a text layer: render with poppler's `pdftoppm`, recognise with
 * `tesseract -l chi_sim … tsv` (Debian: poppler-utils, tesseract-ocr, tesseract-ocr-chi-sim).
 *
 * `--psm 1` (segmentation with orientation detection) reads pages scanned sideways (a landscape
 * table on a portrait page).
 *
 * Output is text lines with tesseract's word confidences; no tables are rebuilt from OCR
 * (without rulings the cell structure could only be guessed). The confidence is reported so
 * the document can be marked `low_confidence`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { coresOversubscribed, releaseCore, tryTakeCore } from '../cores.ts';

const run = promisify(execFile);

export interface OcrLine {
  page: number;
  text: string;
  /** Mean word confidence of the line, 0..1. */
  conf: number;
  top: number;
}

export interface OcrPage {
  page: number;
  lines: OcrLine[];
  /** Mean word confidence of the page, 0..1 (words with text only); null when nothing was read. */
  conf: number | null;
  words: number;
}

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/** Join tesseract words: chi_sim emits every character as a word; spaces only between Latin words. */
export function joinWords(words: string[]): string {
  let out = '';
  for (const w of words) {
    const prev = out[out.length - 1];
    // Numbers come split at their separators ("101," "673." "03"): no space inside a number.
    const inNumber = /[0-9][,.]$/.test(out) && /^[0-9]/.test(w);
    if (out && !CJK.test(prev) && !CJK.test(w[0]) && !inNumber) out += ' ';
    out += w;
  }
  return out;
}

/** Parse `tesseract … tsv` output into lines. */
export function parseTsv(tsv: string, page: number): OcrPage {
  const lines = new Map<string, { words: string[]; confs: number[]; top: number }>();
  const allConf: number[] = [];
  for (const row of tsv.split('\n').slice(1)) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = f[11].trim();
    const conf = Number(f[10]);
    if (!text || !(conf >= 0)) continue;
    const key = `${f[2]}.${f[3]}.${f[4]}`;
    if (!lines.has(key)) lines.set(key, { words: [], confs: [], top: Number(f[7]) });
    const l = lines.get(key)!;
    l.words.push(text);
    l.confs.push(conf / 100);
    allConf.push(conf / 100);
  }
  const out: OcrLine[] = [...lines.values()]
    .map((l) => ({ page, text: joinWords(l.words), conf: l.confs.reduce((a, b) => a + b, 0) / l.confs.length, top: l.top }))
    .sort((a, b) => a.top - b.top);
  const conf = allConf.length ? allConf.reduce((a, b) => a + b, 0) / allConf.length : null;
  return { page, lines: out, conf, words: allConf.length };
}

/**
 * OCR the given pages of a PDF. Stops (returning what it has) when `deadline` (epoch ms) passes.
 * Throws when the tools are missing.
 *
 * Pages are rendered to PPM (uncompressed: encoding a PNG cost pdftoppm more than rendering) and
 * read with the resolution given to tesseract (a PPM carries none), which gives the same words
 * as the PNG did. One page at a time on the document's own core; more at once only on cores the
 * process leaves idle (../cores.ts), one tesseract per core (OMP_THREAD_LIMIT=1).
 */
export async function ocrPages(
  bytes: Uint8Array,
  pages: number[],
  deadline: number,
  dpi = 200,
): Promise<{ pages: OcrPage[]; skipped: number[]; failed: { page: number; error: string }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-ocr-'));
  const done: OcrPage[] = [];
  const skipped: number[] = [];
  const failed: { page: number; error: string }[] = [];
  const todo = [...pages];
  const pdf = join(dir, 'in.pdf');
  let missingTool: Error | null = null;
  const ocrOne = async (p: number) => {
    const left = deadline - Date.now();
    if (left < 2000) {
      skipped.push(p);
      return;
    }
    const base = join(dir, `p${p}`);
    try {
      await run('pdftoppm', ['-r', String(dpi), '-singlefile', '-f', String(p), '-l', String(p), pdf, base], { timeout: left });
      const { stdout } = await run('tesseract', [`${base}.ppm`, 'stdout', '-l', 'chi_sim', '--psm', '1', '--dpi', String(dpi), 'tsv'], {
        timeout: Math.max(1000, deadline - Date.now()),
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      });
      done.push(parseTsv(stdout, p));
    } catch (e) {
      const err = e as Error & { code?: string; killed?: boolean };
      // Missing tools fail every page alike: stop and report.
      if (err.code === 'ENOENT') {
        missingTool = err;
        todo.length = 0;
      } else if (err.killed || Date.now() >= deadline) skipped.push(p);
      else failed.push({ page: p, error: err.message.split('\n')[0] });
    } finally {
      rmSync(`${base}.ppm`, { force: true });
    }
  };
  // A lane reads pages until none are left; an extra lane holds an idle core and gives it back
  // (stops) as soon as the process has more work than cores.
  const lanes: Promise<void>[] = [];
  const lane = async (extra: boolean) => {
    try {
      while (todo.length && !(extra && coresOversubscribed())) {
        const p = todo.shift()!;
        if (todo.length && tryTakeCore()) lanes.push(lane(true));
        await ocrOne(p);
      }
    } finally {
      if (extra) releaseCore();
    }
  };
  try {
    writeFileSync(pdf, bytes);
    lanes.push(lane(false));
    for (let i = 0; i < lanes.length; i++) await lanes[i];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (missingTool) throw missingTool;
  done.sort((a, b) => a.page - b.page);
  skipped.sort((a, b) => a - b);
  failed.sort((a, b) => a.page - b.page);
  return { pages: done, skipped, failed };
}
