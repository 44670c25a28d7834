/**
 * Direct reader of `word/document.xml` (WordprocessingML), used where mammoth loses a merge:
 * rows with `w:gridBefore` / `w:gridAfter` (mammoth counts cells, not grid columns, so a vertical
 * merge lands in the wrong column), vertical merges it had to drop ("cell merging may be incorrect"),
 * and for page numbers (explicit page breaks and Word's `w:lastRenderedPageBreak` marks).
 *
 * Parsed with cheerio in XML mode after `xmlguard` refused any DOCTYPE / entity declaration.
 * Only `w:t` text is read: field instructions (`w:instrText`, e.g. `TC "…" \f C \l 1`), deleted text
 * (`w:delText`) and the fallback branch of `mc:AlternateContent` never reach the output.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Block, Cell, TableBlock, TableRow } from '../types.ts';
import { stripFieldCodes } from './fieldcodes.ts';

const isEl = (n: AnyNode): n is Element => n.type === 'tag';
const kids = (el: Element, name: string) => el.children.filter((c): c is Element => isEl(c) && c.name === name);
const kid = (el: Element | undefined, name: string) => (el ? kids(el, name)[0] : undefined);
const val = (el: Element | undefined) => (el ? el.attribs['w:val'] : undefined);
const intVal = (el: Element | undefined, dflt: number) => {
  const v = val(el);
  const n = v == null ? NaN : parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? n : dflt;
};

/** Containers whose children are read as if they were in the parent (content controls, custom XML, smart tags…). */
const TRANSPARENT = new Set(['w:sdt', 'w:sdtContent', 'w:customXml', 'w:smartTag', 'w:ins', 'w:moveTo', 'w:hyperlink', 'w:fldSimple', 'w:dir', 'w:bdo', 'mc:AlternateContent', 'mc:Choice']);

export interface DocxXmlResult {
  blocks: Block[];
  /**
   * Pages counted from explicit and rendered page breaks; null when the file has no page mark at
   * all (then every page number below is null too: a file converted by LibreOffice, or a Word file
   * saved without pagination, does not say where its pages break).
   */
  pages: number | null;
  /** True when some row has gridBefore / gridAfter (mammoth misplaces merges there). */
  hasGridSkips: boolean;
}

export function readDocumentXml(xml: string): DocxXmlResult {
  const $ = cheerio.load(xml, { xml: true });
  const body = $('w\\:body').get(0) as Element | undefined;
  const blocks: Block[] = [];
  let page = 1;
  let tableNo = 0;
  let hasGridSkips = false;

  /** Text of a run container, counting page breaks as they pass. */
  const runText = (node: AnyNode, out: string[]) => {
    if (!isEl(node)) return;
    switch (node.name) {
      case 'w:t':
        out.push(node.children.map((c) => (c.type === 'text' ? (c as unknown as { data: string }).data : '')).join(''));
        return;
      case 'w:tab':
      case 'w:ptab':
        out.push('\t');
        return;
      case 'w:br':
        if (node.attribs['w:type'] === 'page') page++;
        else out.push('\n');
        return;
      case 'w:cr':
        out.push('\n');
        return;
      case 'w:lastRenderedPageBreak':
        page++;
        return;
      case 'w:noBreakHyphen':
        out.push('\u2011');
        return;
      case 'w:instrText':
      case 'w:delText':
      case 'w:del':
      case 'w:moveFrom':
      case 'mc:Fallback':
      case 'w:rPr':
      case 'w:pPr':
        if (node.name === 'w:pPr' && kid(node, 'w:pageBreakBefore') && val(kid(node, 'w:pageBreakBefore')) !== '0' && val(kid(node, 'w:pageBreakBefore')) !== 'false') page++;
        return;
      default:
        for (const ch of node.children) runText(ch, out);
    }
  };

  const paraText = (p: Element) => {
    const out: string[] = [];
    runText(p, out);
    return out.join('');
  };

  /** Text of a cell: its paragraphs joined by '\n'; a nested table is flattened row by row. */
  const cellText = (tc: Element): string => {
    const lines: string[] = [];
    const walk = (el: Element) => {
      for (const ch of el.children) {
        if (!isEl(ch)) continue;
        if (ch.name === 'w:p') lines.push(paraText(ch));
        else if (ch.name === 'w:tbl') {
          for (const tr of rowsOf(ch)) lines.push(cellsOf(tr).map((c) => cellText(c).replace(/\n/g, ' ')).filter(Boolean).join(' '));
        } else if (TRANSPARENT.has(ch.name)) walk(ch);
      }
    };
    walk(tc);
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    while (lines.length && lines[0].trim() === '') lines.shift();
    return lines.map((l) => stripFieldCodes(l).trim()).join('\n');
  };

  const rowsOf = (tbl: Element): Element[] => {
    const out: Element[] = [];
    const walk = (el: Element) => {
      for (const ch of el.children) {
        if (!isEl(ch)) continue;
        if (ch.name === 'w:tr') out.push(ch);
        else if (TRANSPARENT.has(ch.name)) walk(ch);
      }
    };
    walk(tbl);
    return out;
  };
  const cellsOf = (tr: Element): Element[] => {
    const out: Element[] = [];
    const walk = (el: Element) => {
      for (const ch of el.children) {
        if (!isEl(ch)) continue;
        if (ch.name === 'w:tc') out.push(ch);
        else if (TRANSPARENT.has(ch.name)) walk(ch);
      }
    };
    walk(tr);
    return out;
  };

  const readTable = (tbl: Element): TableBlock => {
    const trs = rowsOf(tbl);
    const rows: TableRow[] = [];
    // Cell that last started at each grid column (the target of a vMerge continue).
    let above = new Map<number, { cell: Cell; span: number }>();
    const firstPage = page;
    for (const tr of trs) {
      const trPr = kid(tr, 'w:trPr');
      const before = intVal(kid(trPr, 'w:gridBefore'), 0);
      const after = intVal(kid(trPr, 'w:gridAfter'), 0);
      if (before || after) hasGridSkips = true;
      let rowPage: number | null = null;
      const cells: Cell[] = [];
      const next = new Map<number, { cell: Cell; span: number }>();
      let col = 0;
      if (before > 0) {
        const c: Cell = { text: '' };
        if (before > 1) c.colSpan = before;
        cells.push(c);
        col += before;
      }
      for (const tc of cellsOf(tr)) {
        const tcPr = kid(tc, 'w:tcPr');
        const span = Math.max(1, intVal(kid(tcPr, 'w:gridSpan'), 1));
        const vm = kid(tcPr, 'w:vMerge');
        const cont = vm != null && (val(vm) == null || val(vm) === 'continue');
        const origin = above.get(col);
        const text = cellText(tc);
        // Word marks the first run on a new page (w:lastRenderedPageBreak): a row whose first cell
        // starts with one is on the new page.
        rowPage ??= page;
        if (cont && origin && origin.span === span) {
          origin.cell.rowSpan = (origin.cell.rowSpan ?? 1) + 1;
          next.set(col, origin);
        } else {
          const c: Cell = { text };
          if (span > 1) c.colSpan = span;
          cells.push(c);
          next.set(col, { cell: c, span });
        }
        col += span;
      }
      if (after > 0) {
        const c: Cell = { text: '' };
        if (after > 1) c.colSpan = after;
        cells.push(c);
      }
      above = next;
      rows.push({ cells, page: rowPage ?? page });
    }
    return { type: 'table', tableNo: ++tableNo, page: firstPage, pageEnd: page, rows, spansKnown: true };
  };

  // Consecutive paragraphs form one TextBlock; an empty paragraph or a table ends it.
  let group: string[] = [];
  let groupPage = 1;
  const endGroup = () => {
    if (group.length) blocks.push({ type: 'text', text: group.join('\n'), page: groupPage });
    group = [];
  };
  const walkBody = (el: Element) => {
    for (const ch of el.children) {
      if (!isEl(ch)) continue;
      if (ch.name === 'w:p') {
        const startPage = page;
        const lines = stripFieldCodes(paraText(ch))
          .split('\n')
          .map((l) => stripFieldCodes(l).replace(/\s+$/, '').replace(/^[ \t]+/, ''))
          .filter(Boolean);
        if (!lines.length) {
          endGroup();
          continue;
        }
        if (!group.length) groupPage = startPage;
        group.push(...lines);
      } else if (ch.name === 'w:tbl') {
        endGroup();
        const t = readTable(ch);
        if (t.rows.some((r) => r.cells.some((c) => c.text !== ''))) blocks.push(t);
        else tableNo--;
      } else if (TRANSPARENT.has(ch.name)) walkBody(ch);
    }
  };
  if (body) walkBody(body);
  endGroup();
  const paged = page > 1 || xml.includes('w:lastRenderedPageBreak');
  if (!paged) {
    for (const b of blocks) {
      b.page = null;
      if (b.type === 'table') {
        b.pageEnd = null;
        for (const r of b.rows) r.page = null;
      }
    }
  }
  return { blocks, pages: paged ? page : null, hasGridSkips };
}
