/**
 * File names of scorecards: region, department and year (承德高新区-应急管理局-2022), safe on every
 * file system (no / \ : * ? " < > | or control characters, no leading dots, no trailing dots or
 * spaces, at most ~150 bytes) and unique: department-years whose names collide — also when they
 * differ only in letter case — all get their department id appended.
 */
import type { DeptYear } from '../quality/scoring.ts';

const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f]+/g;
const MAX_BYTES = 150;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** One part of a file name: unsafe characters → _, whitespace dropped, no leading or trailing dots. */
export function safePart(s: string): string {
  return s.normalize('NFC').replace(UNSAFE, '_').replace(/\s+/g, '').replace(/^[._-]+/, '').replace(/[._-]+$/, '');
}

/** Stem (name without extension) of one department-year's scorecard files. */
export function cardStem(region: string | null, department: string, year: number | null): string {
  const r = safePart(region ?? '');
  let d = safePart(department);
  // The printed department name usually repeats the region: 曹妃甸区市场监督管理局 → 市场监督管理局.
  if (r && d.startsWith(r) && d.length > r.length) d = safePart(d.slice(r.length));
  const y = year == null ? '年度不详' : String(year);
  const room = MAX_BYTES - bytes(r) - bytes(y) - 2;
  while (d.length > 1 && bytes(d) > room) d = d.slice(0, -1);
  return [r, d || '部门', y].filter(Boolean).join('-');
}

export interface NamedDeptYear extends DeptYear {
  region: string | null;
  department: string;
}

const key = (d: DeptYear) => `${d.dept_id}\u0000${d.year ?? ''}`;

/** Unique stems for a set of department-years, keyed by dept_id and year (see `stemOf`). */
export function assignStems(list: NamedDeptYear[]): Map<string, string> {
  const plain = list.map((d) => cardStem(d.region, d.department, d.year));
  const groups = new Map<string, number>();
  for (const s of plain) groups.set(s.toLowerCase(), (groups.get(s.toLowerCase()) ?? 0) + 1);
  const out = new Map<string, string>();
  const used = new Set<string>();
  list.forEach((d, i) => {
    let stem = groups.get(plain[i].toLowerCase())! > 1 ? `${plain[i]}-${safePart(d.dept_id).slice(0, 12)}` : plain[i];
    for (let n = 2; used.has(stem.toLowerCase()); n++) stem = `${plain[i]}-${safePart(d.dept_id).slice(0, 12)}-${n}`;
    used.add(stem.toLowerCase());
    out.set(key(d), stem);
  });
  return out;
}

export const stemOf = (stems: Map<string, string>, d: DeptYear) => stems.get(key(d))!;
