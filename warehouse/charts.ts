/**
 * Rendering shared by the warehouse's outputs (scorecards) and the analysts' notebooks:
 * vega-lite specs to SVG strings without a browser, and the display width of CJK text.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Display width of a string in a terminal: CJK and full-width characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f) || c === 0x200b || (c >= 0xfe00 && c <= 0xfe0f)) continue; // control, combining, zero-width
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

export const CHART_CONFIG = {
  font: 'Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif',
  axis: { labelLimit: 260, titleFontWeight: 'normal' },
  legend: { labelLimit: 260 },
  view: { stroke: null },
};

/**
 * Text width for vega's layout without a canvas. Vega's own estimate (0.8 em per character) is too
 * narrow for Chinese, so axis titles overlap long CJK labels; count CJK / full-width characters
 * as 1 em and the rest as 0.58 em (sans-serif average).
 */
function estimateTextWidth(item: { fontSize?: number }, text: unknown): number {
  const s = text == null ? '' : String(text).trim();
  const size = typeof item?.fontSize === 'number' ? item.fontSize : 11;
  let em = 0;
  for (const ch of s) em += displayWidth(ch) === 2 ? 1 : ch === ' ' ? 0.28 : 0.58;
  return Math.ceil(em * size);
}
const textMetrics = (vega as unknown as { textMetrics: { width: typeof estimateTextWidth } }).textMetrics;

/** Render a vega-lite spec with inline data to an SVG string (headless, no DOM). */
export async function chartSvg(spec: Record<string, unknown>, data: Record<string, unknown>[]): Promise<string> {
  const full = { width: 560, ...spec, data: { values: data }, config: { ...CHART_CONFIG, ...((spec.config as object) ?? {}) } } as TopLevelSpec;
  const vgSpec = compile(full).spec;
  // our CJK-aware width estimate, for this render only (vega's textMetrics is process-global)
  const previous = textMetrics.width;
  textMetrics.width = estimateTextWidth;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    textMetrics.width = previous;
  }
}

