/**
 * DOCX extractor: mammoth renders the document to HTML (gridSpan / vMerge → colspan / rowspan),
 * cheerio reads that HTML into blocks (`htmlblocks.ts`). Where mammoth loses a merge — rows with
 * gridBefore / gridAfter, or a table it reports "cell merging may be incorrect" for — the table
 * is taken from our own reading of `word/document.xml` (`docxml.ts`), which also supplies page
 * numbers from page breaks.
 *
 * Before mammoth sees the package: zip-bomb limits from the central directory (`zipguard.ts`),
 * and every XML part checked for DOCTYPE / entity declarations (`xmlguard.ts`).
 */
import mammoth from 'mammoth';
import { denseGrid } from '../grid.ts';
import type { ExtractOptions } from '../types.ts';
import { ExtractError, type Block, type ExtractedDoc, type TableBlock } from '../types.ts';
import { readDocumentXml } from './docxml.ts';
import { stripFieldCodes } from './fieldcodes.ts';
import { dropTrailingEmptyCells } from './tidy.ts';
import { htmlToBlocks } from './htmlblocks.ts';
import { assertSafeXmlParts } from './xmlguard.ts';
import { readZipSafely } from './zipguard.ts';

export const DOCX_EXTRACTOR = 'office-docx@1';

/**
 * Same merge structure: every grid position has the same origin (row, column) in both readings.
 * Text is not compared — the readers differ in small ways (symbols, list numbers) that say nothing
 * about merges. Positions beyond a ragged row's end count as unmerged.
 */
const sameStructure = (a: TableBlock, b: TableBlock) => {
  const ga = denseGrid(a);
  const gb = denseGrid(b);
  if (ga.length !== gb.length) return false;
  for (let r = 0; r < ga.length; r++) {
    const w = Math.max(ga[r].length, gb[r].length);
    for (let c = 0; c < w; c++) {
      const x = ga[r][c];
      const y = gb[r][c];
      const ox = x && x.text !== '' ? `${x.originRow},${x.originCol}` : x?.spanned ? `${x.originRow},${x.originCol}` : `${r},${c}`;
      const oy = y && y.text !== '' ? `${y.originRow},${y.originCol}` : y?.spanned ? `${y.originRow},${y.originCol}` : `${r},${c}`;
      if (ox !== oy) return false;
      if ((x?.text ?? '') === '' !== ((y?.text ?? '') === '')) return false;
    }
  }
  return true;
};

export async function extractDocx(bytes: Uint8Array, _opts: ExtractOptions = {}): Promise<ExtractedDoc> {
  const { files } = await readZipSafely(bytes);
  assertSafeXmlParts(files);
  const docPart = [...files.keys()].find((n) => n === 'word/document.xml') ?? [...files.keys()].find((n) => /^word\/document\d*\.xml$/.test(n));
  if (!docPart) throw new ExtractError('corrupt', 'DOCX package without word/document.xml');
  const warnings: string[] = [];

  const xml = readDocumentXml(files.get(docPart)!.toString('utf8'));

  let html: string;
  let messages: { type: string; message: string }[] = [];
  try {
    const res = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })), ignoreEmptyParagraphs: false },
    );
    html = res.value;
    messages = res.messages as { type: string; message: string }[];
  } catch (e) {
    // mammoth cannot read it: our own reading of document.xml is all we have.
    warnings.push(`mammoth failed (${(e as Error).message}); read word/document.xml directly`);
    return finish(xml.blocks, xml.pages, warnings, 'document.xml');
  }
  const mergeTrouble = messages.some((m) => /cell merging may be incorrect/i.test(m.message));
  const { blocks: mblocks } = htmlToBlocks(html);
  for (const b of mblocks) if (b.type === 'text') b.text = b.text.split('\n').map((l) => stripFieldCodes(l).trim()).filter(Boolean).join('\n');
  const blocks = mblocks.filter((b) => b.type !== 'text' || b.text !== '');

  const mTables = blocks.filter((b): b is TableBlock => b.type === 'table');
  const xTables = xml.blocks.filter((b): b is TableBlock => b.type === 'table');
  let source = 'mammoth';
  if (mTables.length !== xTables.length) {
    // Nested-table layouts are read differently by the two paths; trust mammoth unless it lost merges.
    if (mergeTrouble || xml.hasGridSkips) {
      warnings.push(`mammoth reported merge problems and its tables (${mTables.length}) do not match document.xml (${xTables.length}); read document.xml directly`);
      return finish(xml.blocks, xml.pages, warnings, 'document.xml');
    }
    warnings.push(`mammoth found ${mTables.length} tables, document.xml ${xTables.length}; kept mammoth's`);
  } else {
    let replaced = 0;
    for (let i = 0; i < mTables.length; i++) {
      const m = mTables[i];
      const x = xTables[i];
      if (!sameStructure(m, x)) {
        m.rows = x.rows;
        replaced++;
      } else {
        for (let r = 0; r < m.rows.length; r++) m.rows[r].page = x.rows[r]?.page ?? null;
      }
      m.page = x.page;
      m.pageEnd = x.pageEnd;
    }
    if (replaced) {
      source = 'mammoth+document.xml';
      warnings.push(`${replaced} table(s) taken from word/document.xml where mammoth lost merges (gridBefore/gridAfter or vMerge)`);
    }
  }
  if (mergeTrouble && source === 'mammoth') warnings.push('mammoth: cell merging may be incorrect');
  return finish(blocks, xml.pages, warnings, source);
}

function finish(blocks: Block[], pages: number | null, warnings: string[], source: string): ExtractedDoc {
  dropTrailingEmptyCells(blocks);
  let n = 0;
  for (const b of blocks) if (b.type === 'table') b.tableNo = ++n;
  return {
    format: 'docx',
    extractor: DOCX_EXTRACTOR,
    pages,
    blocks,
    warnings,
    status: n ? 'ok' : 'no_tables',
    meta: { tables: n, tableSource: source },
  };
}
