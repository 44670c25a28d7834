/**
 * HTML DOM → ordered blocks (text paragraphs and table grids).
 *
 * Shared by the HTML extractor (detail pages with inline tables) and the DOCX extractor
 * (mammoth renders Word to HTML, keeping gridSpan / vMerge as colspan / rowspan).
 *
 * - Every top-level data table becomes a TableBlock; HTML span semantics are exactly the contract's
 *   (cells covered by an earlier rowspan are already absent from later rows).
 * - A table whose cells hold other tables is a layout table (common on government CMS pages, and
 *   Word files that nest a form inside a frame): it is walked as a container, so the inner data
 *   tables come out as blocks of their own. A data table with a small nested table in one cell keeps
 *   the nested table's text inside that cell instead.
 * - Text outside tables: consecutive paragraphs form one TextBlock, one line each (like the lines
 *   of a text dump); an empty paragraph or a table ends it. A heading such as `1、xxx项目绩效目标表`
 *   is the last line of the TextBlock right before its table.
 * - Inside a cell, paragraphs and <br> become '\n' (the contract keeps in-cell line breaks).
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { Block, Cell, TableBlock, TableRow } from '../types.ts';

/** Elements whose content is never document text. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'iframe', 'object', 'svg', 'select', 'option', 'button', 'textarea']);
/** Elements that end a line of text (paragraph-level). */
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'address', 'figure', 'figcaption', 'form', 'fieldset',
  'hr', 'center', 'body', 'html', 'caption', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot',
]);

/** Upper bounds against hostile markup (rowspan="65534" colspan="1000"). */
const MAX_COLSPAN = 1000;

export interface HtmlBlocksOptions {
  /** Stop after this many tables (a page with thousands of layout tables is not a disclosure). */
  maxTables?: number;
}

export interface HtmlBlocks {
  blocks: Block[];
  warnings: string[];
  title: string | null;
}

const isTag = (n: AnyNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';

/** Whitespace inside HTML text collapses, except the full-width space 　 which is printed content. */
function collapse(s: string): string {
  return s.replace(/[ \t\n\r\f\u00a0]+/g, ' ');
}

function tidyLines(s: string): string {
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter((l, i, a) => l !== '' || (i > 0 && i < a.length - 1 && a[i - 1] !== ''))
    .join('\n')
    .replace(/\n+$/, '')
    .replace(/^\n+/, '');
}

/** Rows of a table, in order, without descending into nested tables. */
function tableRows(table: Element): Element[] {
  const rows: Element[] = [];
  for (const ch of table.children) {
    if (!isTag(ch)) continue;
    if (ch.name === 'tr') rows.push(ch);
    else if (ch.name === 'thead' || ch.name === 'tbody' || ch.name === 'tfoot') {
      for (const r of ch.children) if (isTag(r) && r.name === 'tr') rows.push(r);
    }
  }
  return rows;
}

const rowCells = (tr: Element): Element[] => tr.children.filter((c): c is Element => isTag(c) && (c.name === 'td' || c.name === 'th'));

function hasNestedTable(el: Element): boolean {
  for (const ch of el.children) {
    if (!isTag(ch)) continue;
    if (ch.name === 'table') return true;
    if (hasNestedTable(ch)) return true;
  }
  return false;
}

/** Text of a subtree with block boundaries as '\n'; nested tables are flattened row by row. */
function textOf(node: AnyNode, out: string[]): void {
  if (node.type === 'text') {
    out.push(collapse((node as unknown as { data: string }).data));
    return;
  }
  if (!isTag(node)) return;
  const name = node.name;
  if (SKIP.has(name)) return;
  if (name === 'br') {
    out.push('\n');
    return;
  }
  if (name === 'table') {
    for (const tr of tableRows(node)) {
      out.push('\n');
      const parts: string[] = [];
      for (const td of rowCells(tr)) {
        const sub: string[] = [];
        for (const ch of td.children) textOf(ch, sub);
        const t = tidyLines(sub.join('')).replace(/\n/g, ' ');
        if (t) parts.push(t);
      }
      out.push(parts.join(' '));
    }
    out.push('\n');
    return;
  }
  const block = BLOCK.has(name);
  if (block) out.push('\n');
  for (const ch of node.children) textOf(ch, out);
  if (block) out.push('\n');
}

function cellText(td: Element): string {
  const out: string[] = [];
  for (const ch of td.children) textOf(ch, out);
  return tidyLines(out.join(''));
}

function spanAttr(el: Element, name: string): number {
  const v = el.attribs?.[name];
  if (v == null) return 1;
  const n = parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/**
 * Decide whether a table holding nested tables is a layout container: most of its text lives in
 * the nested tables (or it has at most two columns, the usual frame around a form).
 */
function isLayoutTable(table: Element): boolean {
  if (!hasNestedTable(table)) return false;
  const rows = tableRows(table);
  const maxCols = Math.max(0, ...rows.map((r) => rowCells(r).length));
  if (maxCols <= 2) return true;
  let inner = 0;
  let total = 0;
  for (const r of rows) {
    for (const td of rowCells(r)) {
      const t = cellText(td).length;
      total += t;
      if (hasNestedTable(td)) inner += t;
    }
  }
  return total === 0 || inner / total > 0.5;
}

/** Build the contract's TableBlock from an HTML <table> (no nested-table recursion). */
export function tableFromElement(table: Element, tableNo: number): TableBlock {
  const trs = tableRows(table);
  const rows: TableRow[] = [];
  for (let r = 0; r < trs.length; r++) {
    const cells: Cell[] = [];
    for (const td of rowCells(trs[r])) {
      let rs = spanAttr(td, 'rowspan');
      let cs = spanAttr(td, 'colspan');
      // rowspan="0" means "to the end of the table section" (HTML spec); clamp to the rows left.
      const left = trs.length - r;
      if (rs === 0 || rs > left) rs = left;
      if (cs === 0) cs = 1;
      if (cs > MAX_COLSPAN) cs = MAX_COLSPAN;
      const cell: Cell = { text: cellText(td) };
      if (rs > 1) cell.rowSpan = rs;
      if (cs > 1) cell.colSpan = cs;
      cells.push(cell);
    }
    rows.push({ cells, page: null });
  }
  return { type: 'table', tableNo, page: null, pageEnd: null, rows, spansKnown: true };
}

/** A paragraph with no text and nothing else in it (an empty line in Word). */
function isEmptyParagraph(p: Element): boolean {
  const out: string[] = [];
  textOf(p, out);
  return out.join('').trim() === '' && !hasNestedTable(p);
}

/** Walk a DOM subtree, appending text paragraphs and tables to `blocks` in document order. */
export function walkBlocks(root: AnyNode[], opts: HtmlBlocksOptions = {}): { blocks: Block[]; warnings: string[] } {
  const blocks: Block[] = [];
  const warnings: string[] = [];
  const maxTables = opts.maxTables ?? 5000;
  let tableNo = 0;
  let buf: string[] = [];
  // Consecutive paragraphs form one TextBlock (like consecutive lines of a text dump); an empty
  // paragraph (<p>&nbsp;</p>, Word's spacing) or a table ends the group.
  let group: string[] = [];
  const endGroup = () => {
    if (group.length) blocks.push({ type: 'text', text: group.join('\n'), page: null });
    group = [];
  };
  const flush = () => {
    const text = tidyLines(buf.join(''));
    buf = [];
    for (const para of text.split(/\n+/)) {
      const t = para.trim();
      if (t) group.push(t);
    }
  };
  const visit = (node: AnyNode) => {
    if (node.type === 'text') {
      buf.push(collapse((node as unknown as { data: string }).data));
      return;
    }
    if (!isTag(node)) {
      if (node.type === 'root') for (const ch of (node as unknown as { children: AnyNode[] }).children) visit(ch);
      return;
    }
    const name = node.name;
    if (SKIP.has(name)) return;
    if (name === 'br') {
      buf.push('\n');
      return;
    }
    if (name === 'table') {
      flush();
      endGroup();
      if (isLayoutTable(node)) {
        for (const tr of tableRows(node)) for (const td of rowCells(tr)) {
          for (const ch of td.children) visit(ch);
          flush();
          endGroup();
        }
        return;
      }
      if (tableNo >= maxTables) {
        if (tableNo === maxTables) warnings.push(`more than ${maxTables} tables: the rest were skipped`);
        tableNo++;
        return;
      }
      const t = tableFromElement(node, ++tableNo);
      if (t.rows.some((r) => r.cells.some((c) => c.text !== ''))) blocks.push(t);
      else tableNo--;
      return;
    }
    if (name === 'p' && isEmptyParagraph(node)) {
      flush();
      endGroup();
      return;
    }
    const block = BLOCK.has(name);
    if (block) flush();
    for (const ch of node.children) visit(ch);
    if (block) flush();
  };
  for (const n of root) visit(n);
  flush();
  endGroup();
  return { blocks, warnings };
}

/** Parse an HTML string and return its blocks. */
export function htmlToBlocks(html: string, opts: HtmlBlocksOptions = {}): HtmlBlocks {
  const $ = cheerio.load(html);
  const title = $('title').first().text().trim() || null;
  const body = $('body').get();
  const { blocks, warnings } = walkBlocks(body.length ? body : $.root().get(), opts);
  return { blocks, warnings, title };
}
