/**
 * Recall of indicator rows against the hand counts (tests/expected/pdf-counts.json): per city,
 * project and 部门整体 rows found / counted, spurious rows, tables with the wrong scope; then one
 * line per file that is off, and the seconds each file took (extract + transform + load).
 *
 *   npm run bench -- recall          (or: npx jixiao bench recall)
 *   JIXIAO_BENCH_FILTER=北京 …       only files whose path contains the text
 */
import { byCity, formatTable, loadCounts, measureRecall } from '../helpers/recall.ts';

export async function run(): Promise<void> {
  const filter = process.env.JIXIAO_BENCH_FILTER;
  const files = loadCounts().filter((f) => !filter || f.file.includes(filter));
  const t0 = performance.now();
  let n = 0;
  const results = await measureRecall(files, (r, s) => {
    if (process.env.JIXIAO_BENCH_VERBOSE) console.log(`  ${s.toFixed(1).padStart(6)} s  ${r.file}`);
    n++;
  });
  const s = (performance.now() - t0) / 1000;
  console.log(`recall: ${results.length} hand-counted PDFs in ${s.toFixed(1)} s`);
  console.log(formatTable(byCity(results)));
  const off = results.filter((r) => r.found.project < r.expected.project || r.found.department < r.expected.department || r.spurious || r.wrongScope.length);
  if (off.length) console.log('files off their count:');
  for (const r of off)
    console.log(`  ${r.file}: project ${r.found.project}/${r.expected.project}, 部门整体 ${r.found.department}/${r.expected.department}, spurious ${r.spurious}${r.wrongScope.length ? `, ${r.wrongScope.length} table(s) with the wrong scope` : ''}`);
  const all = results.reduce((a, r) => a + r.expected.project + r.expected.department, 0);
  const found = results.reduce((a, r) => a + r.found.project + r.found.department, 0);
  console.log(`total: ${found}/${all} rows (${((found / all) * 100).toFixed(1)}%), ${n} files`);
}
