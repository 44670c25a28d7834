/**
 * Positioned text → cell text and text lines.
 *
 * pdf.js text items are runs of glyphs; a run may cross a cell border (a producer writes
 * `项目名称 办公楼租金` in one show-text operator), so runs that cross a column edge of a
 * lattice are cut into per-character pieces placed by estimated glyph width. Each piece goes to
 * the cell containing its centre. Inside a cell, pieces on one baseline form a line (joined
 * without separator, so `100` + `%` → `100%`; a space only between two Latin words), and lines
 * are joined with '\n'.
 */
import type { Lattice, LatticeCell } from './geometry.ts';
import type { TextItem } from './page.ts';

const isWide = (ch: string) => /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch);

/** Cut an item into single-character items, spreading its width by full/half-width glyphs. */
export function splitChars(it: TextItem): TextItem[] {
  const chars = [...it.str];
  const weights = chars.map((ch) => (isWide(ch) ? 1 : 0.5));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const out: TextItem[] = [];
  let x = it.x0;
  chars.forEach((ch, i) => {
    const w = ((it.x1 - it.x0) * weights[i]) / total;
    out.push({ ...it, str: ch, x0: x, x1: x + w });
    x += w;
  });
  return out;
}

/** Split items that cross any of the given column edges (edges strictly inside the item). */
export function splitAtEdges(items: TextItem[], edges: number[], tol = 1): TextItem[] {
  const out: TextItem[] = [];
  for (const it of items) {
    const crosses = [...it.str].length > 1 && edges.some((x) => x > it.x0 + tol && x < it.x1 - tol);
    if (!crosses) {
      out.push(it);
      continue;
    }
    // Regroup consecutive chars that fall in the same column band.
    const band = (p: TextItem) => edges.filter((x) => x <= (p.x0 + p.x1) / 2).length;
    let group: TextItem[] = [];
    const flush = () => {
      if (!group.length) return;
      const str = group.map((g) => g.str).join('');
      if (str.trim()) out.push({ ...group[0], str, x1: group[group.length - 1].x1 });
      group = [];
    };
    for (const p of splitChars(it)) {
      if (group.length && band(group[0]) !== band(p)) flush();
      group.push(p);
    }
    flush();
  }
  return out;
}

const latin = /[A-Za-z0-9]$/;
const latinStart = /^[A-Za-z0-9]/;

/** Group items into lines (by baseline) and lines into text; lines in reading order. */
export function linesOf(items: TextItem[]): { text: string; y0: number; y1: number; x0: number; x1: number; size: number }[] {
  const sorted = [...items].sort((a, b) => a.base - b.base || a.x0 - b.x0);
  const lines: TextItem[][] = [];
  for (const it of sorted) {
    const line = lines[lines.length - 1];
    // Same line when baselines are closer than half the smaller glyph size (superscripts stay).
    if (line && Math.abs(it.base - line[0].base) <= Math.min(it.size, line[0].size) * 0.5) line.push(it);
    else lines.push([it]);
  }
  return lines.map((line) => {
    line.sort((a, b) => a.x0 - b.x0);
    let text = '';
    let prev: TextItem | null = null;
    for (const it of line) {
      const s = it.str;
      if (prev) {
        const gap = it.x0 - prev.x1;
        if (gap > Math.min(it.size, prev.size) * 0.3 && latin.test(text) && latinStart.test(s)) text += ' ';
        else if (gap > Math.min(it.size, prev.size) * 2 && !/\s$/.test(text)) text += ' ';
      }
      text += s;
      prev = it;
    }
    return {
      text: text.trim(),
      y0: Math.min(...line.map((i) => i.y0)),
      y1: Math.max(...line.map((i) => i.y1)),
      x0: line[0].x0,
      x1: Math.max(...line.map((i) => i.x1)),
      size: Math.max(...line.map((i) => i.size)),
    };
  });
}

export interface FilledCell extends LatticeCell {
  text: string;
  /**
   * The text's last line is filled to the cell's right edge (room for less than two more glyphs,
   * taking the left padding as the right one): the text may go on after it (a cell cut by a page
   * break).
   */
  full: boolean;
}

function endsFull(c: LatticeCell, lines: ReturnType<typeof linesOf>): boolean {
  if (!lines.length) return false;
  const last = lines[lines.length - 1];
  const pad = Math.max(0, Math.min(...lines.map((l) => l.x0)) - c.x0);
  // Two glyphs of slack: line-breaking rules carry a character over with the punctuation that may
  // not start a line (年安全特 | 刊》费: 》 takes 刊 with it).
  return c.x1 - pad - last.x1 < last.size * 2;
}

/**
 * Put the text items into the lattice's cells. Returns the filled cells and the items that lie
 * outside the lattice.
 */
export function fillLattice(lat: Lattice, items: TextItem[]): { cells: FilledCell[]; rest: TextItem[]; used: number } {
  const inside: TextItem[] = [];
  const rest: TextItem[] = [];
  const { x0, y0, x1, y1 } = lat.bbox;
  for (const it of items) {
    const cx = (it.x0 + it.x1) / 2;
    const cy = (it.y0 + it.y1) / 2;
    const overlapsX = it.x1 > x0 + 1 && it.x0 < x1 - 1;
    if (cy >= y0 && cy <= y1 && overlapsX && cx >= x0 - 2 && cx <= x1 + 2) inside.push(it);
    else rest.push(it);
  }
  const pieces = splitAtEdges(inside, lat.xs.slice(1, -1));
  const byCell = new Map<LatticeCell, TextItem[]>();
  for (const p of pieces) {
    const cx = Math.min(Math.max((p.x0 + p.x1) / 2, x0 + 0.01), x1 - 0.01);
    const cy = (p.y0 + p.y1) / 2;
    const cell = lat.cells.find((c) => cx >= c.x0 && cx <= c.x1 && cy >= c.y0 && cy <= c.y1);
    if (!cell) {
      rest.push(p);
      continue;
    }
    if (!byCell.has(cell)) byCell.set(cell, []);
    byCell.get(cell)!.push(p);
  }
  const cells = lat.cells.map((c) => {
    const lines = linesOf(byCell.get(c) ?? []);
    return { ...c, text: lines.map((l) => l.text).join('\n'), full: endsFull(c, lines) };
  });
  return { cells, rest, used: inside.length };
}
