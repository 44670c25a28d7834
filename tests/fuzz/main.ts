/**
 * The long fuzz run: `npm run fuzz -- --cases 10000`.
 *
 *   --cases N          mutated documents through ingestBytes (default 1000)
 *   --parser-cases N   fast-check runs per crawler parser (default 10 × --cases, at least 1000)
 *   --seed S           fast-check seed (default: random, printed)
 *   --formats a,b      only seeds of these formats (pdf,docx,doc,xlsx,xls,html,text)
 *   --max-seed-bytes N skip seed files larger than this (default 2 MB)
 *   --per-warehouse N  cases per in-memory warehouse before a fresh one (default 25)
 *   --timeout MS       per-document extraction budget (default 15000)
 *   --hang MS          a case slower than this is a hang (default timeout + 30000)
 *   --minutes M        stop starting new cases after M minutes (the figures say how many ran)
 *   --out DIR          report.json and the bytes of every bad case (default out/fuzz)
 *
 * Prints: cases, by format (of the seed) with their statuses, verdicts (ok / crash / hang /
 * lost_row / lost_neighbour), slowest case, peak RSS; parser runs and failures. Exit status 1
 * when any case was not ok.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FuzzWarehouse, type CaseResult, type Verdict } from './harness.ts';
import { applyMutation, describeCase, fuzzCase } from './mutate.ts';
import { parserProperties } from './parsers.ts';
import { FORMATS, loadSeeds, type SeedFormat } from './seeds.ts';
import { SEED } from '../helpers/paths.ts';
import { readFileSync } from 'node:fs';

const { values: a } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    'parser-cases': { type: 'string' },
    seed: { type: 'string' },
    formats: { type: 'string' },
    'max-seed-bytes': { type: 'string', default: String(2 * 1024 * 1024) },
    'per-warehouse': { type: 'string', default: '25' },
    timeout: { type: 'string', default: '15000' },
    hang: { type: 'string' },
    minutes: { type: 'string' },
    out: { type: 'string', default: 'out/fuzz' },
  },
});
const cases = Number(a.cases);
const parserCases = Number(a['parser-cases'] ?? Math.max(1000, cases * 10));
const seed = a.seed ? Number(a.seed) : (Math.random() * 2 ** 31) | 0;
const timeoutMs = Number(a.timeout);
const hangMs = Number(a.hang ?? timeoutMs + 30_000);
const deadline = a.minutes ? Date.now() + Number(a.minutes) * 60_000 : Infinity;
const formats = a.formats ? (a.formats.split(',') as SeedFormat[]) : FORMATS;
const out = a.out!;
mkdirSync(join(out, 'cases'), { recursive: true });

const seeds = loadSeeds({ maxBytes: Number(a['max-seed-bytes']) }).filter((s) => formats.includes(s.format));
console.log(`fuzz: seed ${seed}, ${cases} document cases over ${seeds.length} seed files (${formats.join(', ')}), ${parserCases} runs per parser`);

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 200);
// An error nobody catches is a crash too: counted and printed, and the run goes on to give its figures.
let unhandled = 0;
for (const ev of ['unhandledRejection', 'uncaughtException'] as const)
  process.on(ev, (e) => {
    unhandled++;
    console.error(`${ev}:`, e);
  });

// ---- crawler parsers ----
const pages = seeds.filter((s) => s.format === 'html').map((s) => s.bytes);
const parserReport: { name: string; runs: number; failed: boolean; counterexample?: string; error?: string; ms: number }[] = [];
for (const p of parserProperties(pages.length ? pages : [Buffer.from('<html><a href="/a.pdf">附件</a></html>')])) {
  const t = performance.now();
  const d = fc.check(p.property as fc.IProperty<unknown[]>, { numRuns: parserCases, seed });
  parserReport.push({
    name: p.name,
    runs: d.numRuns,
    failed: d.failed,
    counterexample: d.failed ? JSON.stringify(d.counterexample)?.slice(0, 2000) : undefined,
    error: d.failed ? String(d.errorInstance).slice(0, 500) : undefined,
    ms: performance.now() - t,
  });
  console.log(`parser ${p.name.padEnd(22)} ${d.numRuns} runs ${d.failed ? `FAILED: ${String(d.errorInstance).slice(0, 200)}` : 'ok'} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

// ---- documents through ingestBytes ----
const neighbours = [SEED.s000, SEED.s004].map((f) => ({ name: f, bytes: readFileSync(f) }));
const gen = fc.sample(fuzzCase(seeds), { numRuns: cases, seed });
const results: (CaseResult & { n: number; format: SeedFormat; mutation: string; what: string })[] = [];
let wh: FuzzWarehouse | null = null;
const t0 = performance.now();
for (let i = 0; i < gen.length; i++) {
  if (Date.now() > deadline) {
    console.log(`--minutes reached after ${i} cases`);
    break;
  }
  if (!wh || wh.cases >= Number(a['per-warehouse'])) {
    wh?.close();
    wh = await new FuzzWarehouse(neighbours, { timeoutMs, hangMs }).open();
  }
  const c = gen[i];
  const bytes = await applyMutation(seeds, c);
  const r = await wh.run(bytes, `fuzz:${i}`);
  sampleRss();
  const res = { ...r, n: i, format: seeds[c.seed].format, mutation: c.mutation.kind, what: describeCase(seeds, c) };
  results.push(res);
  if (r.verdict !== 'ok') {
    writeFileSync(join(out, 'cases', `${i}-${r.verdict}-${seeds[c.seed].format}.bin`), bytes);
    console.log(`case ${i} ${r.verdict}: ${res.what} → ${r.status} ${r.error?.split('\n')[0] ?? ''}`);
  }
  if ((i + 1) % 50 === 0) {
    const bad = results.filter((x) => x.verdict !== 'ok').length;
    console.log(`… ${i + 1}/${gen.length} cases, ${bad} not ok, ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  }
}
wh?.close();
clearInterval(rssTimer);

// ---- figures ----
const count = <T extends string>(xs: T[]) => xs.reduce((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {} as Record<string, number>);
const verdicts = count(results.map((r) => r.verdict as Verdict));
const byFormat: Record<string, { cases: number; statuses: Record<string, number>; maxMs: number }> = {};
for (const r of results) {
  const f = (byFormat[r.format] ??= { cases: 0, statuses: {}, maxMs: 0 });
  f.cases++;
  f.statuses[r.status ?? 'none'] = (f.statuses[r.status ?? 'none'] ?? 0) + 1;
  f.maxMs = Math.max(f.maxMs, r.ms);
}
const slowest = results.reduce((m, r) => (r.ms > (m?.ms ?? -1) ? r : m), null as (typeof results)[number] | null);
const minutes = (performance.now() - t0) / 60000;
const lines = [
  '',
  `document cases: ${results.length} in ${minutes.toFixed(1)} min (seed ${seed}, budget ${timeoutMs} ms per document, hang limit ${hangMs} ms)`,
  `verdicts: ${Object.entries(verdicts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  `crashes ${verdicts.crash ?? 0}, hangs ${verdicts.hang ?? 0}, lost rows ${verdicts.lost_row ?? 0}, lost neighbours ${verdicts.lost_neighbour ?? 0}, uncaught errors ${unhandled}`,
  `mutations: ${Object.entries(count(results.map((r) => r.mutation))).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  'by format (of the seed file):',
  ...Object.entries(byFormat)
    .sort()
    .map(([f, x]) => `  ${f.padEnd(5)} ${String(x.cases).padStart(6)}  max ${(x.maxMs / 1000).toFixed(1)} s  ${Object.entries(x.statuses).sort((p, q) => q[1] - p[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`),
  `slowest case: ${slowest ? `${(slowest.ms / 1000).toFixed(1)} s, ${slowest.what} → ${slowest.status}` : '-'}`,
  `peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`,
  `parsers: ${parserReport.map((p) => `${p.name} ${p.runs}${p.failed ? ' FAILED' : ''}`).join(', ')}`,
];
console.log(lines.join('\n'));
writeFileSync(
  join(out, 'report.json'),
  JSON.stringify({ seed, timeoutMs, hangMs, cases: results.length, minutes, verdicts, byFormat, peakRssMb: peakRss / 1024 / 1024, unhandled, parsers: parserReport, bad: results.filter((r) => r.verdict !== 'ok') }, null, 2),
);
const bad = results.some((r) => r.verdict !== 'ok') || parserReport.some((p) => p.failed) || unhandled > 0;
process.exit(bad ? 1 : 0);
