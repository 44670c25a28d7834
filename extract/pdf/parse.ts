/**
 * PDF bytes → pages of tables and text, with pdf.js (legacy build for Node).
 *
 * Runs inside the worker thread started by `index.ts` (so a hang or a memory blow-up can be
 * abandoned), but has no dependency on being in a worker: tests and tools may call it directly.
 *
 * Safety: `isEvalSupported: false` (CVE-2024-4367: a crafted FontMatrix ran code through the
 * font-path compiler), `disableFontFace`, no XFA, no scripting; CMaps and standard fonts come
 * from the installed pdfjs-dist package on disk (nothing is downloaded).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildLattices, type Lattice } from './geometry.ts';
import { insideAny, pageRulings, pageText, type OpsCodes, type TextItem } from './page.ts';
import { stitchPages, type GridTable, type PageBlock, type PageLine } from './stitch.ts';
import { fillLattice, linesOf } from './text.ts';

export interface ParseOptions {
  /** Only these 1-based pages (for tools and tests); default all. */
  pages?: number[];
}

export interface ParsedPdf {
  pages: number;
  /** Pages actually read (all, or those asked for in `opts.pages`). */
  parsedPages: number;
  blocks: PageBlock[];
  /** Pages with (almost) no text layer: candidates for OCR. */
  textlessPages: number[];
  stitched: number;
  warnings: string[];
  meta: Record<string, unknown>;
}

/** Error from parsing, with the ExtractError reason it maps to. */
export class PdfParseError extends Error {
  constructor(
    readonly reason: 'encrypted' | 'corrupt' | 'truncated' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

const require = createRequire(import.meta.url);
const PDFJS_DIR = dirname(require.resolve('pdfjs-dist/package.json'));
export const PDFJS_VERSION: string = require('pdfjs-dist/package.json').version;

/** Minimal number of non-blank characters for a page to count as having a text layer. */
const MIN_PAGE_CHARS = 10;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsPromise: Promise<PdfJs> | null = null;
const loadPdfJs = () => (pdfjsPromise ??= importPdfJs());

/**
 * Load pdf.js and its worker side into this thread, then put back the built-ins its core-js
 * polyfills replaced although Node has them: `Array.prototype.push` (swapped for a JS loop over
 * an edge case of lengths past 2^32) and `JSON.stringify` / `JSON.parse` (wrapped to support
 * JSON.rawJSON, re-scanning every output in JS). pdf.js needs neither edge case, and the
 * replacements slowed every push and every JSON call of the thread, pdf.js's own included
 * (`push` alone was 5–8 % of the parsing thread's CPU). What Node lacks (Promise.withResolvers,
 * Uint8Array.toBase64, Map.getOrInsert…) stays added.
 */
async function importPdfJs(): Promise<PdfJs> {
  const natives = { push: Array.prototype.push, stringify: JSON.stringify, parse: JSON.parse };
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // The worker side runs in this thread (pdf.js's "main-thread worker"): loaded now, so its own
  // copy of the polyfills is installed before the built-ins are put back.
  const g = globalThis as { pdfjsWorker?: unknown };
  const workerModule: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs'; // (no type declarations)
  g.pdfjsWorker ??= await import(workerModule);
  Array.prototype.push = natives.push;
  JSON.stringify = natives.stringify;
  JSON.parse = natives.parse;
  return pdfjs;
}

/** Does the file end with %%EOF (allowing trailing whitespace / junk up to 1 KB)? */
export const hasEof = (bytes: Uint8Array) => Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).includes('%%EOF');

/** pdf.js loading options: safe (no eval, no font faces, no XFA) and offline (CMaps, fonts on disk). */
export function documentOptions(bytes: Uint8Array) {
  return {
    // pdf.js takes ownership of (detaches) the buffer it is given: pass a copy.
    data: new Uint8Array(bytes),
    cMapUrl: join(PDFJS_DIR, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(PDFJS_DIR, 'standard_fonts') + '/',
    wasmUrl: join(PDFJS_DIR, 'wasm') + '/',
    isEvalSupported: false,
    disableFontFace: true,
    // Images are never used (rulings are paths; OCR renders the page with poppler): pdf.js drops
    // every image larger than one pixel instead of decoding it (1×1 masks drawn as rules stay).
    maxImageSize: 1,
    enableXfa: false,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  };
}

export async function parsePdf(bytes: Uint8Array, opts: ParseOptions = {}): Promise<ParsedPdf> {
  if (!bytes.length) throw new PdfParseError('empty', 'empty file (0 bytes)');
  const pdfjs = await loadPdfJs();
  const warnings: string[] = [];
  const truncated = !hasEof(bytes);
  if (truncated) warnings.push('truncated: no %%EOF at the end of the file; pages may be missing');
  const task = pdfjs.getDocument(documentOptions(bytes));
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (e) {
    const err = e as Error;
    if (err?.name === 'PasswordException') throw new PdfParseError('encrypted', `encrypted PDF: ${err.message}`);
    if (truncated) throw new PdfParseError('truncated', `truncated PDF: ${err?.message ?? err}`);
    throw new PdfParseError('corrupt', `unreadable PDF: ${err?.message ?? err}`);
  }
  const OPS = pdfjs.OPS as unknown as OpsCodes;
  const meta: Record<string, unknown> = { pdfjs: PDFJS_VERSION };
  try {
    const md = await doc.getMetadata();
    const info = md.info as Record<string, unknown>;
    for (const k of ['Title', 'Author', 'Creator', 'Producer', 'CreationDate', 'ModDate'])
      if (typeof info?.[k] === 'string' && info[k]) meta[k] = info[k];
    meta.pdfFormatVersion = info?.PDFFormatVersion;
  } catch {
    /* metadata is optional */
  }
  const pageBlocks: PageBlock[][] = [];
  const textlessPages: number[] = [];
  const wanted = opts.pages ? new Set(opts.pages) : null;
  let failedPages = 0;
  for (let p = 1; p <= doc.numPages; p++) {
    if (wanted && !wanted.has(p)) {
      pageBlocks.push([]);
      continue;
    }
    try {
      const page = await doc.getPage(p);
      const vp = page.getViewport({ scale: 1 });
      const vt = vp.transform as [number, number, number, number, number, number];
      const [gfx, allItems] = await Promise.all([pageRulings(page, OPS, vt), pageText(page, vt)]);
      // Drop text that is clipped away (invisible on paper).
      const clips = gfx.textClips;
      const items = clips ? allItems.filter((it) => insideAny(clips, (it.x0 + it.x1) / 2, (it.y0 + it.y1) / 2)) : allItems;
      const segs = gfx.segments;
      const chars = items.reduce((a, it) => a + it.str.replace(/\s/g, '').length, 0);
      if (chars < MIN_PAGE_CHARS) textlessPages.push(p);
      pageBlocks.push(layoutPage(p, buildLattices(segs), items, vp.height));
      page.cleanup();
    } catch (e) {
      failedPages++;
      warnings.push(`page ${p}: ${(e as Error)?.message ?? e}`);
      pageBlocks.push([]);
    }
  }
  if (failedPages && truncated) warnings.push(`truncated: ${failedPages} of ${doc.numPages} pages could not be read`);
  const { blocks, stitched } = stitchPages(pageBlocks);
  const pages = doc.numPages;
  await doc.destroy();
  const parsedPages = wanted ? [...wanted].filter((p) => p >= 1 && p <= pages).length : pages;
  return { pages, parsedPages, blocks, textlessPages, stitched, warnings, meta };
}

/** A lattice is a table when it has at least 2 cells holding text (a framed paragraph is text). */
function isTable(cells: { text: string }[], lat: Lattice) {
  return lat.cells.length >= 2 && cells.filter((c) => c.text.trim()).length >= 2;
}

/**
 * A lone row of several cells with one text, the first lattice of its page and near its top: maybe
 * the rest of a row cut by the page break (see GridTable.rowRest; the stitcher decides).
 */
function isRowRest(cells: { text: string }[], lat: Lattice, lattices: Lattice[], pageHeight: number) {
  return lat === lattices[0] && lat.ys.length === 2 && lat.cells.length >= 2 && cells.filter((c) => c.text.trim()).length === 1 && lat.bbox.y0 <= pageHeight * 0.35;
}

/** Tables from the page's lattices, and the remaining text as text blocks, top to bottom. */
export function layoutPage(page: number, lattices: Lattice[], items: TextItem[], pageHeight: number): PageBlock[] {
  const blocks: PageBlock[] = [];
  let rest = items;
  for (const lat of lattices) {
    const { cells, rest: outside } = fillLattice(lat, rest);
    const rowRest = !isTable(cells, lat) && isRowRest(cells, lat, lattices, pageHeight);
    if (!isTable(cells, lat) && !rowRest) continue;
    const inside = new Set(outside);
    const restLines = rowRest ? linesOf(rest.filter((it) => !inside.has(it))).map((l) => ({ page, y0: l.y0, y1: l.y1, text: l.text })) : null;
    rest = outside;
    const table: GridTable = {
      page,
      pageEnd: page,
      nRows: lat.ys.length - 1,
      nCols: lat.xs.length - 1,
      xs: lat.xs,
      cells: cells.map((c) => ({ r: c.r, c: c.c, rs: c.rs, cs: c.cs, text: c.text, ...(c.full ? { full: true } : {}) })),
      rowPages: Array.from({ length: lat.ys.length - 1 }, () => page),
      top: lat.bbox.y0,
      bottom: lat.bbox.y1,
      pageHeight,
      ...(restLines ? { rowRest: restLines } : {}),
    };
    dropEmptyRows(table);
    if (table.nRows) blocks.push({ kind: 'table', table, y: lat.bbox.y0 });
  }
  // Remaining text: lines, grouped into blocks between tables.
  const lines: PageLine[] = linesOf(rest).map((l) => ({ page, y0: l.y0, y1: l.y1, text: l.text })).filter((l) => l.text.trim());
  const tables = blocks.slice();
  const edges = tables.map((t) => t.y).sort((a, b) => a - b);
  const groups = new Map<number, PageLine[]>();
  for (const l of lines) {
    const k = edges.filter((y) => y <= l.y0).length;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(l);
  }
  for (const [, ls] of groups) blocks.push({ kind: 'text', lines: ls, y: ls[0].y0 });
  return blocks.sort((a, b) => a.y - b.y);
}

/**
 * Rows that hold no text (slivers between double rulings, the remnant of a row a word processor
 * split at a page break): removed; a merged cell starting on such a row starts one row lower.
 */
export function dropEmptyRows(t: GridTable) {
  for (let r = t.nRows - 1; r >= 0; r--) {
    const starts = t.cells.filter((c) => c.r === r);
    const crossing = t.cells.some((c) => c.r < r && c.r + c.rs > r);
    if (crossing || starts.some((c) => c.text.trim())) continue;
    if (starts.some((c) => c.rs > 1) && r === t.nRows - 1) continue;
    t.cells = t.cells
      .filter((c) => c.r !== r || c.rs > 1)
      .map((c) => (c.r === r ? { ...c, rs: c.rs - 1 } : c.r > r ? { ...c, r: c.r - 1 } : c));
    t.rowPages.splice(r, 1);
    t.nRows--;
  }
}
