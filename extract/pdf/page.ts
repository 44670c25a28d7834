/**
 * One pdf.js page → ruling segments and positioned text, both in viewport coordinates
 * (points at scale 1, origin top-left, y downwards; page rotation and crop box applied).
 */
import type { PDFPageProxy } from 'pdfjs-dist/types/src/display/api.js';
import type { Segment } from './geometry.ts';

export interface TextItem {
  str: string;
  x0: number;
  x1: number;
  /** Top and bottom of the glyph box; `base` is the baseline. */
  y0: number;
  y1: number;
  base: number;
  size: number;
}

type Matrix = [number, number, number, number, number, number];

const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** Filled rectangles thinner than this are borders drawn as fills (common in Word/WPS exports). */
const THIN = 3;
/** Tolerance for "axis-aligned". */
const AXIS = 0.5;

/** pdf.js OPS codes we need; looked up once from the module so the numbers are never hard-coded. */
export interface OpsCodes {
  clip: number;
  eoClip: number;
  showText: number;
  showSpacedText: number;
  nextLineShowText: number;
  nextLineSetSpacingShowText: number;
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  paintFormXObjectBegin: number;
  paintFormXObjectEnd: number;
  setFillRGBColor: number;
  stroke: number;
  closeStroke: number;
  fill: number;
  eoFill: number;
  fillStroke: number;
  eoFillStroke: number;
  closeFillStroke: number;
  closeEOFillStroke: number;
}

/** DrawOPS of pdf.js v5 path data (moveTo x y, lineTo x y, curveTo 6, quadraticCurveTo 4, closePath). */
const DRAW = { moveTo: 0, lineTo: 1, curveTo: 2, quadraticCurveTo: 3, closePath: 4 } as const;

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PageGraphics {
  segments: Segment[];
  /**
   * Clipping boxes in force whenever text was drawn, or null when some text was drawn unclipped.
   * Text outside all of them is invisible on paper (word processors draw a merged cell's full
   * text on both sides of a page break and clip it to each page's part of the table).
   */
  textClips: Box[] | null;
}

const intersect = (a: Box | null, b: Box): Box => (a ? { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) } : b);

export const insideAny = (boxes: Box[], x: number, y: number, tol = 1) =>
  boxes.some((b) => x >= b.x0 - tol && x <= b.x1 + tol && y >= b.y0 - tol && y <= b.y1 + tol);

export async function pageRulings(page: PDFPageProxy, OPS: OpsCodes, viewportTransform: Matrix): Promise<PageGraphics> {
  const ops = await page.getOperatorList({ intent: 'display', annotationMode: 0 });
  const segs: Segment[] = [];
  let ctm: Matrix = viewportTransform;
  let fill = '#000000';
  let clip: Box | null = null;
  let pendingClip = false;
  const textClips = new Map<string, Box>();
  let unclippedText = false;
  const textOps = new Set([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);
  const stack: { ctm: Matrix; fill: string; clip: Box | null }[] = [];
  const strokeOps = new Set([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const fillOps = new Set([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const addLine = (x0: number, y0: number, x1: number, y1: number) => {
    if (Math.abs(y0 - y1) <= AXIS) segs.push({ x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0: (y0 + y1) / 2, y1: (y0 + y1) / 2 });
    else if (Math.abs(x0 - x1) <= AXIS) segs.push({ x0: (x0 + x1) / 2, x1: (x0 + x1) / 2, y0: Math.min(y0, y1), y1: Math.max(y0, y1) });
  };
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[];
    if (fn === OPS.save) stack.push({ ctm, fill, clip });
    else if (fn === OPS.restore) {
      const s = stack.pop();
      if (s) ({ ctm, fill, clip } = s);
    } else if (fn === OPS.transform) ctm = mul(ctm, args as Matrix);
    else if (fn === OPS.clip || fn === OPS.eoClip) pendingClip = true;
    else if (textOps.has(fn)) {
      if (!clip) unclippedText = true;
      else textClips.set(`${clip.x0.toFixed(1)},${clip.y0.toFixed(1)},${clip.x1.toFixed(1)},${clip.y1.toFixed(1)}`, clip);
    } else if (fn === OPS.paintFormXObjectBegin) {
      stack.push({ ctm, fill, clip });
      const m = args?.[0] as Matrix | null;
      if (Array.isArray(m) && m.length === 6) ctm = mul(ctm, m);
    } else if (fn === OPS.paintFormXObjectEnd) {
      const s = stack.pop();
      if (s) ({ ctm, fill, clip } = s);
    } else if (fn === OPS.setFillRGBColor) {
      if (typeof args?.[0] === 'string') fill = (args[0] as string).toLowerCase();
    } else if (fn === OPS.constructPath) {
      const paint = args[0] as number;
      const data = (args[1] as ArrayLike<number>[] | null)?.[0];
      if (pendingClip) {
        pendingClip = false;
        if (data && data.length) {
          const pts: [number, number][] = [];
          for (let k = 0; k < data.length; ) {
            const op = data[k++];
            const n = op === DRAW.moveTo || op === DRAW.lineTo ? 2 : op === DRAW.curveTo ? 6 : op === DRAW.quadraticCurveTo ? 4 : 0;
            for (let q = 0; q < n; q += 2) pts.push(apply(ctm, data[k + q], data[k + q + 1]));
            k += n;
          }
          if (pts.length) {
            const xs = pts.map((p) => p[0]);
            const ys = pts.map((p) => p[1]);
            clip = intersect(clip, { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) });
          }
        }
      }
      if (!data) continue;
      const stroked = strokeOps.has(paint);
      const filled = fillOps.has(paint) && fill !== '#ffffff';
      if (!stroked && !filled) continue;
      // Walk subpaths in device space.
      const subpaths: [number, number][][] = [];
      let cur: [number, number][] = [];
      for (let k = 0; k < data.length; ) {
        const op = data[k++];
        if (op === DRAW.moveTo) {
          if (cur.length) subpaths.push(cur);
          cur = [apply(ctm, data[k++], data[k++])];
        } else if (op === DRAW.lineTo) cur.push(apply(ctm, data[k++], data[k++]));
        else if (op === DRAW.curveTo) {
          k += 4;
          // A curve breaks the straight-line chain: keep its end point as a new start.
          if (cur.length) subpaths.push(cur);
          cur = [apply(ctm, data[k++], data[k++])];
        } else if (op === DRAW.quadraticCurveTo) {
          k += 2;
          if (cur.length) subpaths.push(cur);
          cur = [apply(ctm, data[k++], data[k++])];
        } else if (op === DRAW.closePath) {
          if (cur.length > 1) cur.push(cur[0]);
          subpaths.push(cur);
          cur = cur.length ? [cur[0]] : [];
        } else break; // unknown code: stop reading this path rather than misparse it
      }
      if (cur.length > 1) subpaths.push(cur);
      for (const sp of subpaths) {
        if (sp.length < 2) continue;
        if (stroked) for (let k = 1; k < sp.length; k++) addLine(sp[k - 1][0], sp[k - 1][1], sp[k][0], sp[k][1]);
        if (filled && !stroked) {
          const xs = sp.map((p) => p[0]);
          const ys = sp.map((p) => p[1]);
          const x0 = Math.min(...xs);
          const x1 = Math.max(...xs);
          const y0 = Math.min(...ys);
          const y1 = Math.max(...ys);
          const w = x1 - x0;
          const h = y1 - y0;
          // Only thin, axis-aligned boxes are rulings; other fills are shading or glyph art.
          // Mitred frame pieces close with a short diagonal (a trapezoid 0.75 pt thick): allowed.
          const axisAligned = sp.every((p, k) => {
            if (k === 0) return true;
            const dx = Math.abs(p[0] - sp[k - 1][0]);
            const dy = Math.abs(p[1] - sp[k - 1][1]);
            return dx <= AXIS || dy <= AXIS || (dx <= THIN && dy <= THIN);
          });
          if (!axisAligned) continue;
          if (h <= THIN && w > h) addLine(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2);
          else if (w <= THIN && h > w) addLine((x0 + x1) / 2, y0, (x0 + x1) / 2, y1);
        }
      }
    }
  }
  return { segments: segs, textClips: unclippedText ? null : [...textClips.values()] };
}

export async function pageText(page: PDFPageProxy, viewportTransform: Matrix): Promise<TextItem[]> {
  const tc = await page.getTextContent({ includeMarkedContent: false });
  const out: TextItem[] = [];
  for (const it of tc.items) {
    if (!('str' in it)) continue;
    const str = it.str;
    if (!str || !str.trim()) continue;
    const m = mul(viewportTransform, it.transform as Matrix);
    const size = Math.hypot(m[2], m[3]) || Math.hypot(m[0], m[1]) || 10;
    const [x, base] = [m[4], m[5]];
    // Width is in user space along the text direction; scale it like the x axis of the viewport.
    const scaleX = Math.hypot(viewportTransform[0], viewportTransform[1]);
    const width = Math.abs(it.width * scaleX);
    out.push({ str, x0: x, x1: x + width, y0: base - size * 0.85, y1: base + size * 0.15, base, size });
  }
  return out;
}
