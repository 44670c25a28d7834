/**
 * Done-criterion of issue 4: each seed rendered into HTML, DOCX, DOC, XLSX and XLS (fixtures from
 * tests/fixtures/make-office-fixtures.ts) lands in the same `projects` / `indicators` rows as the
 * seed's text dump, compared row by row through processBytes() (extract + transform).
 *
 * Compared: every column except provenance (page, table_no, row_no, line_no: a text dump has lines,
 * a workbook has sheets) and ocr_confidence. Goals and duties are compared the same way.
 * DOC and XLS go through LibreOffice and run only where soffice is installed.
 *
 * Two corpus PDF layouts (长沙: 评（扣）分标准 / 度量单位 / 指标值类型 under a two-row header; 福州: one
 * table per project, multi-row budget headers) were read by the PDF extractor into
 * `<name>.blocks.json` and rendered with the same spans into HTML, DOCX and XLSX: each rendering
 * must give the rows the PDF's own blocks give, budget lines included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sofficeAvailable } from '../extract/office/libreoffice.ts';
import type { ExtractedDoc } from '../extract/types.ts';
import { transformDocument } from '../transform/index.ts';
import type { NormalizedDoc } from '../transform/types.ts';
import { processBytes } from '../pipeline/ingest.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const FX = join(HERE, 'fixtures', 'office');
const PROVENANCE = new Set(['page', 'table_no', 'row_no', 'line_no', 'ocr_confidence']);

const content = (rows: object[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !PROVENANCE.has(k))));

const seeds = readdirSync(join(REPO, 'samples'))
  .filter((f) => /^\d{3}_.*\.txt$/.test(f))
  .sort();

const reference = new Map<string, NormalizedDoc>();
async function ref(seed: string): Promise<NormalizedDoc> {
  if (!reference.has(seed)) reference.set(seed, (await processBytes(readFileSync(join(REPO, 'samples', seed)), seed)).doc);
  return reference.get(seed)!;
}

const FORMATS = ['html', 'docx', 'xlsx', 'doc', 'xls'] as const;
const needsSoffice = (f: string) => f === 'doc' || f === 'xls';

describe('seeds rendered as office files ingest into the same rows as their text dumps', () => {
  it('has the four seeds and their fixtures', () => {
    expect(seeds).toHaveLength(4);
    for (const s of seeds) for (const f of FORMATS) expect(readdirSync(FX)).toContain(`seed${s.slice(0, 3)}.${f}`);
  });

  for (const seed of seeds) {
    const id = seed.slice(0, 3);
    for (const fmt of FORMATS) {
      it.runIf(!needsSoffice(fmt) || sofficeAvailable())(`seed ${id} as ${fmt.toUpperCase()}`, async () => {
        const want = await ref(seed);
        const { extracted, doc } = await processBytes(readFileSync(join(FX, `seed${id}.${fmt}`)), `seed${id}.${fmt}`);
        expect(extracted.format).toBe(fmt);
        // The seed itself must yield rows, or the comparison proves nothing.
        expect(want.projects.length).toBeGreaterThan(0);
        expect(want.indicators.length).toBeGreaterThan(0);
        expect(content(doc.projects)).toEqual(content(want.projects));
        expect(content(doc.indicators)).toEqual(content(want.indicators));
        expect(content(doc.goals)).toEqual(content(want.goals));
        expect(content(doc.duties)).toEqual(content(want.duties));
        expect(doc.meta).toEqual(want.meta);
      }, 180_000);
    }
  }
});

describe('a Word "single file web page" (MHTML) published as .doc', () => {
  it('seed 004 as MHTML: detected by content, unpacked, same rows as the text dump', async () => {
    const seed = seeds.find((s) => s.startsWith('004'))!;
    const want = await ref(seed);
    const { extracted, doc } = await processBytes(readFileSync(join(FX, 'seed004-mhtml.doc')), 'seed004-mhtml.doc');
    expect(extracted.format).toBe('html');
    expect(extracted.meta?.container).toBe('mhtml');
    expect(content(doc.projects)).toEqual(content(want.projects));
    expect(content(doc.indicators)).toEqual(content(want.indicators));
    expect(doc.meta).toEqual(want.meta);
  });
});

describe('corpus PDF layouts rendered as office files give the rows of the PDF', () => {
  for (const name of ['corpus-changsha', 'corpus-fuzhou']) {
    for (const fmt of ['html', 'docx', 'xlsx'] as const) {
      it(`${name} as ${fmt.toUpperCase()}`, async () => {
        const pdf = JSON.parse(readFileSync(join(FX, `${name}.blocks.json`), 'utf8')) as ExtractedDoc & { source: string };
        expect(pdf.format).toBe('pdf');
        const want = transformDocument(pdf, { source: pdf.source });
        expect(want.indicators.length).toBeGreaterThan(0);
        expect(want.budget_lines.length).toBeGreaterThan(0);
        const { extracted, doc } = await processBytes(readFileSync(join(FX, `${name}.${fmt}`)), `${name}.${fmt}`);
        expect(extracted.format).toBe(fmt);
        expect(content(doc.projects)).toEqual(content(want.projects));
        expect(content(doc.indicators)).toEqual(content(want.indicators));
        expect(content(doc.goals)).toEqual(content(want.goals));
        expect(content(doc.budget_lines)).toEqual(content(want.budget_lines));
        expect(doc.meta).toEqual(want.meta);
      }, 120_000);
    }
  }
});
