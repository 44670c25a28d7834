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
 * number of rows is exact). 003: three rows under a 一级 column that LibreOffice prints without the
 * ruling between 产出指标 and 效益指标, so 时效指标 / 成本指标 read as under 效益指标. See docs/recall.md.
 */
const FLOOR: Record<string, number> = { s003: 158 };

describe('seeds printed to PDF by LibreOffice give the rows of their text dumps', () => {
  it.each(Object.entries(SEED))('%s', { timeout: 600_000 }, async (name, txt) => {
    const ref = (await processBytes(readFileSync(txt), txt)).doc;
    const pdfName = `seed${name.slice(1)}.pdf`;
    const d = (await processBytes(readFileSync(join(ROOT, 'tests', 'fixtures', 'pdf', pdfName)), pdfName, { timeoutMs: 300_000 })).doc;
    // Projects: the same ones, in order.
    const key = (ps: typeof ref.projects) => ps.map((p) => [p.scope, p.code, p.name?.replace(/\s+/g, ''), p.budget_wan]);
    expect(key(d.projects)).toEqual(key(ref.projects));
    // Head cells cut by a page break are joined back: a 资金用途 running onto the next page, a
    // label cut mid-word (预算规模及资 | 金用途, 资金支 | 出计划（%）) with its values below it.
    const head = (ps: typeof ref.projects) =>
      ps.map((p) => [p.purpose?.replace(/\s+/g, '') ?? null, p.plan_q1, p.plan_q2, p.plan_q3, p.plan_q4, p.plan_header?.replace(/\s+/g, '') ?? null]);
    expect(head(d.projects)).toEqual(head(ref.projects));
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
