/**
 * Bad and hostile PDFs (issue 3): each gets a clear status or ExtractError reason, nothing
 * crashes, and the next document is extracted normally.
 *
 * Small PDFs are built here byte by byte (`makePdf` writes a correct xref table); the encrypted
 * one is a fixture exported by LibreOffice with the open password "secret".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractDocument } from '../extract/index.ts';
import { extractPdf, stopPdfThread } from '../extract/pdf/index.ts';
import { documentOptions, parsePdf } from '../extract/pdf/parse.ts';
import { ExtractError } from '../extract/types.ts';
import { CORPUS, ROOT } from './helpers/paths.ts';

afterAll(() => stopPdfThread());

/** A PDF from object bodies (1-based numbering in order), catalog = object 1. */
function makePdf(objects: string[]): Uint8Array {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

const stream = (s: string, dict = '') => `<< /Length ${Buffer.byteLength(s, 'latin1')} ${dict}>>\nstream\n${s}\nendstream`;

/** One page of plain text, no rulings: a PDF with no tables. */
const textOnly = () =>
  makePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    stream('BT /F1 14 Tf 72 760 Td (Budget narrative without any table.) Tj 0 -20 Td (Second line of text.) Tj ET'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);

/**
 * CVE-2024-4367: pdf.js compiled a font's FontMatrix into JavaScript; a crafted matrix ran code.
 * The payload here would set a global flag. With isEvalSupported: false it must not run.
 * The document also carries an OpenAction JavaScript, which pdf.js must not run either.
 */
const jsPayload = () =>
  makePdf([
    '<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (globalThis.__jixiaoOpenAction = 1;) >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    stream('BT /F1 14 Tf 72 760 Td (Font with a hostile FontMatrix.) Tj ET'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 /FontMatrix [1 0 0 1 0 (0\\); globalThis.__jixiaoPwned = 1; //)] /FontDescriptor 6 0 R >>',
    '<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 /FontFile 7 0 R >>',
    stream('%!PS-AdobeFont-1.0: Evil 001.000\n/FontName /Evil def\n/FontMatrix [0.001 0 0 0.001 0 (0\\); globalThis.__jixiaoPwned = 1; //)] readonly def\ncurrentfile eexec\n', '/Length1 90 /Length2 0 /Length3 0 '),
  ]);

const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'no error';
  } catch (e) {
    expect(e).toBeInstanceOf(ExtractError);
    return (e as ExtractError).reason;
  }
};

describe('PDF extractor on bad input', () => {
  it('0-byte file: empty', async () => {
    expect(await reasonOf(extractDocument(new Uint8Array(0)))).toBe('empty');
    expect(await reasonOf(extractPdf(new Uint8Array(0)))).toBe('empty');
  });

  it('a PDF with no tables: status no_tables, its text kept', async () => {
    const doc = await extractDocument(textOnly());
    expect(doc.format).toBe('pdf');
    expect(doc.pages).toBe(1);
    expect(doc.status).toBe('no_tables');
    const text = doc.blocks.filter((b) => b.type === 'text').map((b) => (b.type === 'text' ? b.text : ''));
    expect(text.join('\n')).toBe('Budget narrative without any table.\nSecond line of text.');
  });

  it('pages without a text layer that are not read (OCR off or out of time): low_confidence, never no_tables', async () => {
    const imageOnly = makePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
      stream('0.5 g 100 100 300 400 re f'),
    ]);
    const doc = await extractPdf(imageOnly, { ocr: false });
    expect(doc.status).toBe('low_confidence');
    expect(doc.warnings).toContain('pages 1 have no text layer and were not read');
  });

  it('encrypted PDF: encrypted', async () => {
    const bytes = readFileSync(join(ROOT, 'tests/fixtures/pdf/encrypted-password-secret.pdf'));
    expect(await reasonOf(extractDocument(bytes))).toBe('encrypted');
  });

  it('garbage after the %PDF- header: corrupt or truncated, not a crash', async () => {
    const bytes = new Uint8Array(Buffer.from('%PDF-1.7\n' + 'x'.repeat(500)));
    expect(['corrupt', 'truncated']).toContain(await reasonOf(extractDocument(bytes)));
  });

  it('a font carrying a JavaScript payload (CVE-2024-4367) and an OpenAction script: no code runs', async () => {
    const g = globalThis as { __jixiaoPwned?: number; __jixiaoOpenAction?: number };
    // In this thread, so the flag would be visible here…
    const parsed = await parsePdf(jsPayload());
    expect(parsed.pages).toBe(1);
    // …and through the worker, where the result must be an ordinary document.
    const doc = await extractDocument(jsPayload());
    expect(doc.pages).toBe(1);
    expect(g.__jixiaoPwned).toBeUndefined();
    expect(g.__jixiaoOpenAction).toBeUndefined();
  });

  it('pdf.js is loaded without eval and font faces, with CMaps and standard fonts from disk', () => {
    const o = documentOptions(new Uint8Array([1]));
    expect(o.isEvalSupported).toBe(false);
    expect(o.disableFontFace).toBe(true);
    expect(o.enableXfa).toBe(false);
    // GBK-EUC-H is what Chinese PDFs with non-embedded CID fonts need.
    expect(existsSync(join(o.cMapUrl, 'GBK-EUC-H.bcmap'))).toBe(true);
    expect(existsSync(join(o.standardFontDataUrl, 'FoxitSerif.pfb'))).toBe(true);
  });

  it('time budget: parsing is abandoned with reason timeout, and the next document still works', async () => {
    const bytes = textOnly();
    expect(await reasonOf(extractPdf(bytes, { timeoutMs: 1 }))).toBe('timeout');
    const doc = await extractPdf(bytes);
    expect(doc.status).toBe('no_tables');
  });

  it('truncated real PDF: a clear status (partial text with a truncated warning, or ExtractError), then the run goes on', async () => {
    const full = readFileSync(join(CORPUS, 'pdf/001_上海/2026年上海市水务局_部门预算.pdf'));
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    try {
      const doc = await extractPdf(cut);
      expect(doc.warnings.some((w) => w.startsWith('truncated'))).toBe(true);
    } catch (e) {
      expect(e).toBeInstanceOf(ExtractError);
      expect(['truncated', 'corrupt']).toContain((e as ExtractError).reason);
    }
    const doc = await extractPdf(full);
    expect(doc.blocks.filter((b) => b.type === 'table').length).toBe(9);
  });

  it('memory budget: a parse over its heap limit fails with too_large', async () => {
    const bytes = readFileSync(join(CORPUS, 'pdf/002_北京/文化广电旅游体育局_2026年部门预算.pdf'));
    expect(await reasonOf(extractPdf(bytes, { memoryMb: 16 }))).toBe('too_large');
    // The thread is replaced with the default budget for the next document.
    expect((await extractPdf(textOnly())).status).toBe('no_tables');
  });
});
