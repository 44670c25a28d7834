/**
 * Issue 10, fragment rows: the four seeds printed to PDF by LibreOffice from their DOCX fixtures
 * (tests/fixtures/pdf/seedNNN.pdf, made by tests/fixtures/make-office-fixtures.ts). Their long
 * tables run over page breaks through merged 一级 / 二级 cells: rows are cut in two, header rows and
 * the 符号 | 值 | 单位 sub-header too. The PDF must give the rows of the seed's text dump.
 *
 * Compared like tests/office-seeds.test.ts (every column but provenance), except that whitespace
 * inside text is ignored: a PDF has glyph positions, not the dump's spaces (`19.36 万元` prints as
 * the same glyphs as `19.36万元`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stopPdfThread } from '../extract/pdf/index.ts';
import { processBytes } from '../pipeline/ingest.ts';
import { ROOT, SEED } from './helpers/paths.ts';

afterAll(() => stopPdfThread());

const PROVENANCE = new Set(['page', 'table_no', 'row_no', 'line_no', 'ocr_confidence']);
const content = (rows: object[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !PROVENANCE.has(k)).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\s+/g, '') : v])));

/**
 * Seeds whose PDF does not give every row yet: indicators with every field equal, as a floor (the
 * number of rows is exact). 001: the rest of one cell (`1号`) printed alone at the top of a page is
 * not read as a table; 003: three rows under a 一级 column LibreOffice prints without its rulings.
 * See docs/recall.md.
 */
const FLOOR: Record<string, number> = { s001: 161, s003: 158 };
/** Projects whose 资金用途 is still cut (its label cut mid-word by the page break, 003): see docs/recall.md. */
const PURPOSE_CUT: Record<string, number> = { s003: 1 };

describe('seeds printed to PDF by LibreOffice give the rows of their text dumps', () => {
  it.each(Object.entries(SEED))('%s', { timeout: 600_000 }, async (name, txt) => {
    const ref = (await processBytes(readFileSync(txt), txt)).doc;
    const pdfName = `seed${name.slice(1)}.pdf`;
    const d = (await processBytes(readFileSync(join(ROOT, 'tests', 'fixtures', 'pdf', pdfName)), pdfName, { timeoutMs: 300_000 })).doc;
    // Projects: the same ones, in order.
    const key = (ps: typeof ref.projects) => ps.map((p) => [p.scope, p.code, p.name?.replace(/\s+/g, ''), p.budget_wan]);
    expect(key(d.projects)).toEqual(key(ref.projects));
    // 资金用途 cut by a page break is joined back (the row continues on the next page).
    const purpose = (p: (typeof ref.projects)[number]) => p.purpose?.replace(/\s+/g, '') ?? null;
    const cutPurposes = d.projects.filter((p, i) => purpose(p) !== purpose(ref.projects[i])).length;
    expect(cutPurposes).toBeLessThanOrEqual(PURPOSE_CUT[name] ?? 0);
    const a = content(d.indicators);
    const b = content(ref.indicators);
    const same = a.filter((x, i) => JSON.stringify(x) === JSON.stringify(b[i])).length;
    if (FLOOR[name] == null) {
      expect(a).toEqual(b);
    } else {
      console.log(`${name}: ${a.length} indicator rows from the PDF for ${b.length} printed, ${same} identical`);
      expect(same).toBeGreaterThanOrEqual(FLOOR[name]);
      expect(a.length).toBe(b.length);
    }
  });
});
