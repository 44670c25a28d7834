/**
 * Recall against the hand counts (`tests/expected/pdf-counts.json`): every counted PDF is ingested
 * into a fresh warehouse and its `indicators` (with their project's scope and page) are compared
 * with the counted tables: rows found with the right scope, rows with the wrong scope, rows found
 * beyond the count or outside every counted table (spurious).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse, rows } from '../../warehouse/db.ts';
import { ingestBytes } from '../../pipeline/ingest.ts';
import { CORPUS, ROOT } from './paths.ts';

export type Scope = 'project' | 'department';

export interface CountedTable {
  /** First and last page of the table (a table may run over many pages). */
  pages: [number, number];
  scope: Scope;
  /** Indicator rows printed in it. */
  rows: number;
}

export interface CountedFile {
  file: string;
  city: string;
  tables: CountedTable[];
  /** How the count was made and anything a reader should know. */
  how: string;
  notes?: string;
}

export interface FileRecall {
  file: string;
  city: string;
  expected: Record<Scope, number>;
  /** Rows found inside a counted table with its scope, capped at the count. */
  found: Record<Scope, number>;
  /** Rows beyond a table's count, or outside every counted table. */
  spurious: number;
  /** Counted tables whose rows mostly came out with another scope. */
  wrongScope: { pages: [number, number]; expected: Scope; got: Record<Scope, number> }[];
  status: string;
}

export const EXPECTED_FILE = join(ROOT, 'tests', 'expected', 'pdf-counts.json');

export function loadCounts(): CountedFile[] {
  return (JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as { files: CountedFile[] }).files;
}

/** Ingest the counted files (optionally only those matching `filter`) and measure each. */
export async function measureRecall(files: CountedFile[], onFile?: (r: FileRecall, seconds: number) => void): Promise<FileRecall[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-recall-'));
  const wh = await openWarehouse(join(dir, 'recall.duckdb'));
  const out: FileRecall[] = [];
  try {
    for (const f of files) {
      const t0 = performance.now();
      const res = await ingestBytes(wh.conn, readFileSync(join(CORPUS, 'pdf', f.file)), f.file, { timeoutMs: 600_000 });
      const found = await rows<{ page: number | null; scope: Scope; n: number }>(
        wh.conn,
        `SELECT i.page, p.scope, count(*)::INTEGER AS n FROM indicators i
           JOIN projects p ON p.doc_id = i.doc_id AND p.project_seq = i.project_seq
          WHERE i.doc_id = ? GROUP BY ALL`,
        [res.doc_id],
      );
      const r: FileRecall = {
        file: f.file,
        city: f.city,
        expected: { project: 0, department: 0 },
        found: { project: 0, department: 0 },
        spurious: 0,
        wrongScope: [],
        status: res.status,
      };
      const used = new Set<(typeof found)[number]>();
      for (const t of f.tables) {
        const inTable = found.filter((x) => x.page != null && x.page >= t.pages[0] && x.page <= t.pages[1]);
        inTable.forEach((x) => used.add(x));
        const got: Record<Scope, number> = { project: 0, department: 0 };
        for (const x of inTable) got[x.scope] += x.n;
        r.expected[t.scope] += t.rows;
        const right = got[t.scope];
        r.found[t.scope] += Math.min(right, t.rows);
        r.spurious += Math.max(0, right - t.rows);
        const other = t.scope === 'project' ? 'department' : 'project';
        if (got[other] > right) r.wrongScope.push({ pages: t.pages, expected: t.scope, got });
        else r.spurious += got[other];
      }
      r.spurious += found.filter((x) => !used.has(x)).reduce((a, x) => a + x.n, 0);
      out.push(r);
      onFile?.(r, (performance.now() - t0) / 1000);
    }
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export interface CityRecall {
  city: string;
  files: number;
  expected: Record<Scope, number>;
  found: Record<Scope, number>;
  spurious: number;
  wrongScope: number;
  /** found / expected, 1 when nothing was expected. */
  projectRecall: number;
  departmentRecall: number;
  /** spurious / all expected rows (spurious / 1 when nothing was expected, i.e. the count of rows). */
  spuriousRate: number;
}

export function byCity(rs: FileRecall[]): CityRecall[] {
  const m = new Map<string, FileRecall[]>();
  for (const r of rs) m.set(r.city, [...(m.get(r.city) ?? []), r]);
  return [...m.entries()].map(([city, xs]) => {
    const sum = (f: (r: FileRecall) => number) => xs.reduce((a, r) => a + f(r), 0);
    const expected = { project: sum((r) => r.expected.project), department: sum((r) => r.expected.department) };
    const found = { project: sum((r) => r.found.project), department: sum((r) => r.found.department) };
    const spurious = sum((r) => r.spurious);
    const all = expected.project + expected.department;
    return {
      city,
      files: xs.length,
      expected,
      found,
      spurious,
      wrongScope: sum((r) => r.wrongScope.length),
      projectRecall: expected.project ? found.project / expected.project : 1,
      departmentRecall: expected.department ? found.department / expected.department : 1,
      spuriousRate: all ? spurious / all : spurious,
    };
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatTable(cities: CityRecall[]): string {
  const lines = ['city      files  project rows (found/counted)      部门整体 rows (found/counted)   spurious   wrong-scope tables'];
  for (const c of cities)
    lines.push(
      `${c.city.padEnd(8)} ${String(c.files).padStart(5)}  ${`${c.found.project}/${c.expected.project}`.padStart(11)} ${pct(c.projectRecall).padStart(7)}` +
        `            ${`${c.found.department}/${c.expected.department}`.padStart(9)} ${pct(c.departmentRecall).padStart(7)}` +
        `       ${String(c.spurious).padStart(5)} ${pct(c.spuriousRate).padStart(6)}   ${c.wrongScope}`,
    );
  return lines.join('\n');
}
