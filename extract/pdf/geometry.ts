/**
 * Ruling lines → table lattices with merged cells.
 *
 * Input: axis-aligned segments in viewport coordinates (points, y growing downwards) taken from
 * a page's stroked paths and thin filled rectangles (see `page.ts`). Output: one `Lattice` per
 * connected group of rulings: the column edges `xs`, the row edges `ys`, and the cells, each
 * covering one or more lattice positions (a cell whose inner borders are missing spans them).
 *
 * The method is the one Camelot's lattice mode and pdfplumber use, plus span recovery:
 *   1. merge collinear, overlapping or nearly touching segments (tolerance `SNAP`);
 *   2. group segments that touch or cross into tables (union-find);
 *   3. the distinct x of vertical rulings and y of horizontal rulings form the lattice;
 *   4. two neighbouring lattice positions belong to one cell when no ruling separates them,
 *      so a cell spanning rows or columns comes out with rowSpan / colSpan.
 */

export interface Segment {
  /** Horizontal: y fixed, x0 < x1. Vertical: x fixed, y0 < y1. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface LatticeCell {
  r: number;
  c: number;
  rs: number;
  cs: number;
  /** Bounding box in viewport coordinates. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Lattice {
  xs: number[];
  ys: number[];
  cells: LatticeCell[];
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

/** Distance under which two coordinates are the same ruling (points; 1 pt = 0.35 mm). */
export const SNAP = 2;
/** Minimal length of a ruling worth keeping (shorter ones are glyph strokes, tick marks). */
const MIN_LEN = 3;

export const isHorizontal = (s: Segment) => Math.abs(s.y1 - s.y0) <= 0.01;

/** Cluster sorted values that lie within `tol` of the previous one; returns cluster means. */
export function clusterValues(values: number[], tol = SNAP): number[] {
  const v = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  let group: number[] = [];
  for (const x of v) {
    if (group.length && x - group[group.length - 1] > tol) {
      out.push(group.reduce((a, b) => a + b, 0) / group.length);
      group = [];
    }
    group.push(x);
  }
  if (group.length) out.push(group.reduce((a, b) => a + b, 0) / group.length);
  return out;
}

/** Merge collinear segments (same line within SNAP) that overlap or leave a gap under SNAP. */
export function mergeSegments(segs: Segment[]): { h: Segment[]; v: Segment[] } {
  const hs = segs.filter((s) => isHorizontal(s) && s.x1 - s.x0 >= 0.01);
  const vs = segs.filter((s) => !isHorizontal(s));
  const merge = (list: Segment[], horizontal: boolean): Segment[] => {
    const pos = (s: Segment) => (horizontal ? s.y0 : s.x0);
    const start = (s: Segment) => (horizontal ? s.x0 : s.y0);
    const end = (s: Segment) => (horizontal ? s.x1 : s.y1);
    const sorted = [...list].sort((a, b) => pos(a) - pos(b));
    // group by position
    const groups: Segment[][] = [];
    for (const s of sorted) {
      const g = groups[groups.length - 1];
      if (g && Math.abs(pos(s) - pos(g[0])) <= SNAP / 2) g.push(s);
      else groups.push([s]);
    }
    const out: Segment[] = [];
    for (const g of groups) {
      const p = g.reduce((a, s) => a + pos(s), 0) / g.length;
      g.sort((a, b) => start(a) - start(b));
      let a = start(g[0]);
      let b = end(g[0]);
      const flush = () => {
        if (b - a >= MIN_LEN) out.push(horizontal ? { x0: a, y0: p, x1: b, y1: p } : { x0: p, y0: a, x1: p, y1: b });
      };
      for (const s of g.slice(1)) {
        if (start(s) <= b + SNAP) b = Math.max(b, end(s));
        else {
          flush();
          a = start(s);
          b = end(s);
        }
      }
      flush();
    }
    return out;
  };
  return { h: merge(hs, true), v: merge(vs, false) };
}

const touches = (h: Segment, v: Segment, tol = SNAP) =>
  v.x0 >= h.x0 - tol && v.x0 <= h.x1 + tol && h.y0 >= v.y0 - tol && h.y0 <= v.y1 + tol;

/** Fraction of [a, b] covered by the union of the intervals. */
function coverage(intervals: [number, number][], a: number, b: number): number {
  if (b <= a) return 0;
  const parts = intervals
    .map(([s, e]) => [Math.max(s, a), Math.min(e, b)] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((p, q) => p[0] - q[0]);
  let covered = 0;
  let cur = a;
  for (const [s, e] of parts) {
    if (e <= cur) continue;
    covered += e - Math.max(s, cur);
    cur = e;
  }
  return covered / (b - a);
}

/**
 * Build lattices from raw segments. Groups with fewer than 2 horizontal and 2 vertical rulings
 * (an underline, a single frame line) are not tables; a box with no inner rulings (a framed
 * paragraph) is returned as a 1×1 lattice and left to the caller to judge.
 */
export function buildLattices(raw: Segment[]): Lattice[] {
  const { h, v } = mergeSegments(raw);
  const all = [...h, ...v];
  const parent = all.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < h.length; i++)
    for (let j = 0; j < v.length; j++) if (touches(h[i], v[j])) parent[find(i)] = find(h.length + j);
  const groups = new Map<number, Segment[]>();
  all.forEach((s, i) => {
    const r = find(i);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(s);
  });
  const tables: { h: Segment[]; v: Segment[] }[] = [];
  const loose: Segment[] = [];
  for (const segs of groups.values()) {
    const gh = segs.filter(isHorizontal);
    const gv = segs.filter((s) => !isHorizontal(s));
    if (gh.length >= 2 && gv.length >= 2) tables.push({ h: gh, v: gv });
    else if (!gh.length) loose.push(...gv);
  }
  attachOpenColumns(tables, loose);
  const out: Lattice[] = [];
  for (const t of tables) {
    const lat = latticeOf(t.h, t.v);
    if (lat) out.push(lat);
  }
  return out.sort((a, b) => a.bbox.y0 - b.bbox.y0 || a.bbox.x0 - b.bbox.x0);
}

/**
 * Columns with vertical rulings only, beside a table: a merged column continued after a page
 * break (Excel exports print 一级指标 / 年度绩效指标 on the next page with side rulings and no
 * horizontal ones). A free vertical that spans the table's height (90–150 %), and stands at most
 * MAX_GAP from the table or from a vertical already attached, joins the table clipped to its
 * height; its columns then come out as cells spanning all rows.
 */
const MAX_GAP = 200;
function attachOpenColumns(tables: { h: Segment[]; v: Segment[] }[], loose: Segment[]) {
  for (const t of tables) {
    const y0 = Math.min(...t.v.map((s) => s.y0));
    const y1 = Math.max(...t.v.map((s) => s.y1));
    const height = y1 - y0;
    const candidates = loose.filter((v) => {
      const len = v.y1 - v.y0;
      return v.y0 <= y0 + SNAP * 2 && v.y1 >= y1 - height * 0.1 && len <= height * 1.5;
    });
    let x0 = Math.min(...t.h.map((s) => s.x0));
    let x1 = Math.max(...t.h.map((s) => s.x1));
    let grew = true;
    while (grew) {
      grew = false;
      for (const v of candidates) {
        if (v.x0 >= x0 - SNAP && v.x0 <= x1 + SNAP) continue;
        if (v.x0 < x0 && x0 - v.x0 <= MAX_GAP) x0 = v.x0;
        else if (v.x0 > x1 && v.x0 - x1 <= MAX_GAP) x1 = v.x0;
        else continue;
        t.v.push({ x0: v.x0, x1: v.x0, y0: Math.max(v.y0, y0), y1: Math.min(v.y1, y1) });
        grew = true;
      }
    }
  }
}

function latticeOf(h: Segment[], v: Segment[]): Lattice | null {
  const bx0 = Math.min(...h.map((s) => s.x0), ...v.map((s) => s.x0));
  const bx1 = Math.max(...h.map((s) => s.x1), ...v.map((s) => s.x0));
  const by0 = Math.min(...v.map((s) => s.y0), ...h.map((s) => s.y0));
  const by1 = Math.max(...v.map((s) => s.y1), ...h.map((s) => s.y0));
  // Column edges: vertical rulings plus the outer frame (open-sided tables have no outer verticals).
  const xs = clusterValues([bx0, bx1, ...v.map((s) => s.x0)]);
  const ys = clusterValues([by0, by1, ...h.map((s) => s.y0)]);
  const nr = ys.length - 1;
  const nc = xs.length - 1;
  if (nr < 1 || nc < 1) return null;
  // Interval lists per edge
  const vAt = xs.map((x) => v.filter((s) => Math.abs(s.x0 - x) <= SNAP).map((s) => [s.y0, s.y1] as [number, number]));
  const hAt = ys.map((y) => h.filter((s) => Math.abs(s.y0 - y) <= SNAP).map((s) => [s.x0, s.x1] as [number, number]));
  // A border exists between two lattice positions when a ruling covers most of their shared edge.
  const rightBorder = (r: number, c: number) => c + 1 >= nc || coverage(vAt[c + 1], ys[r], ys[r + 1]) >= 0.5;
  const bottomBorder = (r: number, c: number) => r + 1 >= nr || coverage(hAt[r + 1], xs[c], xs[c + 1]) >= 0.5;
  const id = (r: number, c: number) => r * nc + c;
  const parent = Array.from({ length: nr * nc }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let r = 0; r < nr; r++)
    for (let c = 0; c < nc; c++) {
      if (!rightBorder(r, c)) parent[find(id(r, c))] = find(id(r, c + 1));
      if (!bottomBorder(r, c)) parent[find(id(r, c))] = find(id(r + 1, c));
    }
  const regions = new Map<number, { r0: number; r1: number; c0: number; c1: number; n: number }>();
  for (let r = 0; r < nr; r++)
    for (let c = 0; c < nc; c++) {
      const k = find(id(r, c));
      const g = regions.get(k);
      if (!g) regions.set(k, { r0: r, r1: r, c0: c, c1: c, n: 1 });
      else {
        g.r0 = Math.min(g.r0, r);
        g.r1 = Math.max(g.r1, r);
        g.c0 = Math.min(g.c0, c);
        g.c1 = Math.max(g.c1, c);
        g.n++;
      }
    }
  const cells: LatticeCell[] = [];
  const mk = (r: number, c: number, rs: number, cs: number): LatticeCell => ({
    r,
    c,
    rs,
    cs,
    x0: xs[c],
    y0: ys[r],
    x1: xs[c + cs],
    y1: ys[r + rs],
  });
  for (const [k, g] of regions) {
    const rs = g.r1 - g.r0 + 1;
    const cs = g.c1 - g.c0 + 1;
    if (rs * cs === g.n) cells.push(mk(g.r0, g.c0, rs, cs));
    else {
      // Not a rectangle (a broken ruling): keep its positions as separate cells rather than guess.
      for (let r = g.r0; r <= g.r1; r++) for (let c = g.c0; c <= g.c1; c++) if (find(id(r, c)) === k) cells.push(mk(r, c, 1, 1));
    }
  }
  cells.sort((a, b) => a.r - b.r || a.c - b.c);
  return { xs, ys, cells, bbox: { x0: bx0, y0: by0, x1: bx1, y1: by1 } };
}
