/**
 * Parsing printed values: indicator targets (指标值) into operator / number / unit / kind, and
 * amounts (预算数, 万元 / 元) into numbers.
 */
import type { IndicatorRow } from './types.ts';

/** The value columns of an indicator row (see IndicatorRow). */
export type ParsedValue = Pick<IndicatorRow, 'value_raw' | 'value_cleaning' | 'op' | 'value_num' | 'unit' | 'value_kind'>;

/** Strip conversion artefacts only, and say which were stripped. */
export function cleanValue(raw: string | null): { text: string | null; cleaning: string[] } {
  const cleaning: string[] = [];
  if (raw == null) return { text: null, cleaning };
  let t = raw.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
  // A stray leading quote from a spreadsheet / PDF conversion: '=100%, ‘=4 次
  if (/^['‘’`＇]/.test(t)) {
    t = t.replace(/^['‘’`＇]+\s*/, '');
    cleaning.push('leading-quote');
  }
  // LaTeX math from a PDF-to-text converter: $\geq 20\%$
  if (/\$[^$]*\\[a-z]+[^$]*\$|\\%/.test(t)) {
    t = t
      .replace(/\$([^$]*)\$/g, '$1')
      .replace(/\\geq?(?![a-z])\s*/g, '≥')
      .replace(/\\leq?(?![a-z])\s*/g, '≤')
      .replace(/\\neq?(?![a-z])\s*/g, '≠')
      .replace(/\\%/g, '%')
      .replace(/\\times(?![a-z])\s*/g, '×')
      .trim();
    cleaning.push('latex');
  }
  return { text: t.length ? t : null, cleaning };
}

const OP_PREFIX: [RegExp, string][] = [
  [/^(?:>=|≥|＞=|>＝|＞＝|≧|大于等于|大于或等于|不低于|不少于|不小于|至少|高于或等于)/, '≥'],
  [/^(?:<=|≤|＜=|<＝|＜＝|≦|小于等于|小于或等于|不高于|不超过|不多于|不大于|最多|低于或等于)/, '≤'],
  [/^(?:≠|!=|不等于)/, '≠'],
  [/^(?:>|＞|大于|高于|超过|多于)/, '>'],
  [/^(?:<|＜|小于|低于|少于)/, '<'],
  [/^(?:==|=|＝|等于|达到|为)/, '='],
];
const OP_SUFFIX: [RegExp, string][] = [
  [/(?:以上|及以上|或以上)$/, '≥'],
  [/(?:以下|及以下|以内|之内|或以下)$/, '≤'],
];

/** Operators normalized to one symbol each. */
export function normalizeOp(s: string | null | undefined): string | null {
  if (!s) return null;
  const t = s.replace(/[\s\u3000]/g, '');
  if (!t) return null;
  for (const [re, op] of OP_PREFIX) if (re.test(t) && t.replace(re, '') === '') return op;
  return null;
}

const PLACEHOLDER_WORDS = /^(?:无|暂无|无此项|不适用|\/|／|-|－|—|——|\\|空|待定|略)$/;
/** `≤100优`, `100优`, `≥90良`: a grade glued to a bound, not a target. */
const GRADE_PLACEHOLDER = /^(?:[≤≥<>=]\s*)?\d+(?:\.\d+)?\s*(?:%|分)?\s*[优良中差好]$/;
const NUM = /[-+]?\d+(?:,\d{3})*(?:\.\d+)?/;

/** Unit as printed, with the many spellings of "percent" folded to %. */
export function normalizeUnit(u: string | null): string | null {
  if (!u) return null;
  const t = u.replace(/[\s\u3000。，,;；]+$/g, '').replace(/^[\s\u3000]+/, '');
  if (!t) return null;
  if (/^(?:%|％|百分比|百分率|百分之|‰)$/.test(t)) return t === '‰' ? '‰' : '%';
  return t;
}

export function parseIndicatorValue(raw: string | null, opts: { op?: string | null; unit?: string | null } = {}): ParsedValue {
  const { text, cleaning } = cleanValue(raw);
  const base = { value_raw: text, value_cleaning: cleaning.length ? cleaning.join(',') : null };
  if (!text) return { ...base, op: null, value_num: null, unit: null, value_kind: 'empty' };
  const compact = text.replace(/[\s\u3000]+/g, '');
  if (PLACEHOLDER_WORDS.test(compact) || GRADE_PLACEHOLDER.test(compact)) {
    const m = compact.match(NUM);
    return { ...base, op: null, value_num: m ? Number(m[0].replace(/,/g, '')) : null, unit: null, value_kind: 'placeholder' };
  }
  let rest = compact;
  let op: string | null = opts.op ?? null;
  for (const [re, sym] of OP_PREFIX) {
    const m = rest.match(re);
    if (m) {
      op ??= sym;
      rest = rest.slice(m[0].length);
      break;
    }
  }
  let suffixOp: string | null = null;
  for (const [re, sym] of OP_SUFFIX) {
    if (re.test(rest)) {
      suffixOp = sym;
      rest = rest.replace(re, '');
      break;
    }
  }
  // Typos such as `.90.00` or `7%5`: take the first well-formed number.
  const m = rest.match(new RegExp(`^[.．]?(${NUM.source})`));
  if (m) {
    const num = Number(m[1].replace(/,/g, ''));
    const after = rest.slice(m[0].length);
    const unit = normalizeUnit(after || opts.unit || null);
    // A short unit (万元, 次, %, 个工作日) makes it numeric; a sentence after the number makes it text.
    if (!after || after.length <= 6) {
      op ??= suffixOp;
      return { ...base, op, value_num: num, unit, value_kind: unit === '%' || unit === '‰' ? 'percent' : 'numeric' };
    }
  }
  return { ...base, op: op ?? suffixOp, value_num: null, unit: null, value_kind: 'text' };
}

/**
 * An amount as printed (`7万元`, `19.36 万元`, `10.00`, `1,234.5`, `3000元`) in 万元.
 * `unitHint` is the table's declared unit (单位：万元 / 元).
 */
export function parseAmountWan(raw: string | null | undefined, unitHint: '万元' | '元' | null = null): number | null {
  if (raw == null) return null;
  const t = raw.replace(/[\s\u3000,，]/g, '');
  if (!t || /^[-—–/／]+$/.test(t)) return null;
  const m = t.match(/[-+]?\d+(?:\.\d+)?/);
  if (!m) return null;
  const n = Number(m[0]);
  const after = t.slice((m.index ?? 0) + m[0].length);
  if (/^万/.test(after)) return n;
  if (/^亿/.test(after)) return n * 10000;
  if (/^元/.test(after)) return n / 10000;
  return unitHint === '元' ? n / 10000 : n;
}

/** True when a cell holds only an amount (digits with optional unit), for telling data from labels. */
export function isAmountCell(raw: string | null | undefined): boolean {
  if (raw == null) return false;
  return /^[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:万元|元|万)?$/.test(raw.replace(/[\s\u3000]/g, ''));
}
