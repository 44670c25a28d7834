/**
 * Recall of indicator rows against hand counts (tests/expected/pdf-counts.json, made without
 * jixiao's extractor: see its `method`). Every counted PDF is ingested into a fresh warehouse;
 * per city, the share of counted project and 部门整体 rows found with the right scope, the rows found
 * beyond the counts (spurious), and every counted table's scope are checked.
 *
 * Thresholds are the issue's (≥ 98% of both kinds of rows, spurious ≤ 1%, every table's scope
 * right). A city below them is listed in FLOORS with the figure it reaches today, so a regression
 * fails and an improvement is visible; see docs/recall.md.
 *
 * Ingesting ~35 PDFs takes minutes of CPU: run this file on its own (`npx vitest run tests/recall.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { byCity, formatTable, loadCounts, measureRecall, type CityRecall, type FileRecall } from './helpers/recall.ts';

/** Cities below the issue's thresholds today: the figure reached, as a floor. */
const FLOORS: Record<string, Partial<Pick<CityRecall, 'projectRecall' | 'departmentRecall' | 'spuriousRate'>>> = {};

describe('recall of indicator rows against hand counts', () => {
  let results: FileRecall[] = [];
  let cities: CityRecall[] = [];

  it('ingests every counted PDF', { timeout: 1_800_000 }, async () => {
    results = await measureRecall(loadCounts());
    cities = byCity(results);
    console.log(formatTable(cities));
    for (const r of results)
      if (r.found.project < r.expected.project || r.found.department < r.expected.department || r.spurious || r.wrongScope.length)
        console.log(`  ${r.file}: project ${r.found.project}/${r.expected.project}, 部门整体 ${r.found.department}/${r.expected.department}, spurious ${r.spurious}${r.wrongScope.length ? `, wrong scope ${JSON.stringify(r.wrongScope)}` : ''}`);
    expect(results.length).toBeGreaterThanOrEqual(30);
    expect(new Set(results.map((r) => r.city)).size).toBeGreaterThanOrEqual(15);
    for (const r of results) expect(['ok', 'partial', 'no_tables'], r.file).toContain(r.status);
  });

  it('finds ≥ 98% of the project and 部门整体 indicator rows of every city, ≤ 1% spurious', () => {
    expect(cities.length).toBeGreaterThan(0);
    for (const c of cities) {
      const floor = FLOORS[c.city] ?? {};
      expect(c.projectRecall, `${c.city} project rows`).toBeGreaterThanOrEqual(floor.projectRecall ?? 0.98);
      expect(c.departmentRecall, `${c.city} 部门整体 rows`).toBeGreaterThanOrEqual(floor.departmentRecall ?? 0.98);
      if (c.expected.project + c.expected.department) expect(c.spuriousRate, `${c.city} spurious`).toBeLessThanOrEqual(floor.spuriousRate ?? 0.01);
      else expect(c.spurious, `${c.city}: rows found where none is printed`).toBe(0);
    }
  });

  it('gives every counted table the scope its own content says', () => {
    expect(results.length).toBeGreaterThan(0);
    expect(results.flatMap((r) => r.wrongScope.map((w) => ({ file: r.file, ...w })))).toEqual([]);
  });
});
