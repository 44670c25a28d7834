/**
 * The long fuzz run: `npm run fuzz -- --cases 10000`.
 *
 *   --cases N          mutated documents through ingestBytes (default 1000)
 *   --jobs N           processes running the cases side by side (case i goes to process i mod N;
 *                      each has its own warehouses; default 1). The figures are merged.
 *   --parser-cases N   fast-check runs per crawler parser (default 10 × --cases, at least 1000)
 *   --seed S           fast-check seed (default: random, printed)
 *   --formats a,b      only seeds of these formats (pdf,docx,doc,xlsx,xls,html,text); a format may
 *                      carry an integer weight, e.g. pdf:3,docx:2,doc:1 (default: all, equally often)
 *   --max-seed-bytes N skip seed files larger than this (default 2 MB)
 *   --per-warehouse N  cases per in-memory warehouse before a fresh one (default 25)
 *   --timeout MS       per-document extraction budget (default 15000)
 *   --hang MS          a case slower than this is a hang (default timeout + 30000)
 *   --minutes M        stop starting new cases after M minutes (the figures say how many ran)
 *   --pause-file F     while F exists, start no new case (to take a benchmark on an idle machine
 *                      in the middle of a long run; default OUT/PAUSE); paused time is not counted
 *   --out DIR          report.json and the bytes of every bad case (default out/fuzz)
 *   --summarize        only merge the shard reports already in --out (a run cut short: each shard
 *                      saves its report every 50 cases) and print the figures
 *
 * Prints: cases, by format (of the seed) with their statuses and times, verdicts (ok / crash /
 * hang / lost_row / lost_neighbour), slowest case, peak RSS; parser runs and failures. Exit status
 * 1 when any case was not ok.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { FuzzWarehouse } from './harness.ts';
import { applyMutation, describeCase, fuzzCase } from './mutate.ts';
import { parserProperties } from './parsers.ts';
import { mergeShards, summarize, type CaseRecord, type ParserRecord, type ShardReport } from './report.ts';
import { FORMATS, loadSeeds, type SeedFormat } from './seeds.ts';
import { SEED } from '../helpers/paths.ts';

const { values: a } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    jobs: { type: 'string', default: '1' },
    shard: { type: 'string' },
    'parser-cases': { type: 'string' },
    seed: { type: 'string' },
    formats: { type: 'string' },
    'max-seed-bytes': { type: 'string', default: String(2 * 1024 * 1024) },
    'per-warehouse': { type: 'string', default: '25' },
    timeout: { type: 'string', default: '15000' },
    hang: { type: 'string' },
    minutes: { type: 'string' },
    'pause-file': { type: 'string' },
    out: { type: 'string', default: 'out/fuzz' },
    summarize: { type: 'boolean', default: false },
  },
});
const cases = Number(a.cases);
const jobs = Math.max(1, Number(a.jobs));
const parserCases = Number(a['parser-cases'] ?? Math.max(1000, cases * 10));
const seed = a.seed ? Number(a.seed) : (Math.random() * 2 ** 31) | 0;
const timeoutMs = Number(a.timeout);
const hangMs = Number(a.hang ?? timeoutMs + 30_000);
const out = a.out!;
const pauseFile = a['pause-file'] ?? join(out, 'PAUSE');
const weights: Partial<Record<SeedFormat, number>> = {};
for (const part of (a.formats ?? FORMATS.join(',')).split(',')) {
  const [f, w = '1'] = part.split(':');
  if (!FORMATS.includes(f as SeedFormat) || !/^\d+$/.test(w)) throw new Error(`--formats: ${part}? (formats ${FORMATS.join(', ')}, weights whole numbers)`);
  weights[f as SeedFormat] = Number(w);
}
for (const f of FORMATS) weights[f] ??= 0;
mkdirSync(join(out, 'cases'), { recursive: true });

if (a.summarize || (jobs > 1 && !a.shard)) {
  // ---- the parent: N shard processes, then the merged figures ----
  const codes = a.summarize ? [] : await runShards();
  const shards: ShardReport[] = [];
  const dirs = a.summarize ? readdirSync(out).filter((d) => /^shard-\d+$/.test(d)) : Array.from({ length: jobs }, (_, k) => `shard-${k}`);
  for (const [k, d] of dirs.entries()) {
    const f = join(out, d, 'shard.json');
    if (!existsSync(f)) {
      console.error(`${d} left no report (exit ${codes[k]}): its cases are unaccounted for`);
      process.exit(1);
    }
    shards.push(JSON.parse(readFileSync(f, 'utf8')));
  }
  if (!shards.length) throw new Error(`no shard reports in ${out}`);
  const s = summarize(mergeShards(shards), shards.length);
  console.log(s.text);
  writeFileSync(join(out, 'report.json'), JSON.stringify(s.json, null, 2));
  process.exit(s.failed ? 1 : 0);
}

async function runShards(): Promise<number[]> {
  console.log(`fuzz: seed ${seed}, ${cases} document cases over ${jobs} processes; while ${pauseFile} exists no new case starts`);
  // Each shard gets the run's own settings, resolved here (the seed above all: every shard draws the same cases).
  const shared = [
    '--cases', String(cases), '--seed', String(seed), '--timeout', String(timeoutMs), '--hang', String(hangMs),
    '--formats', Object.entries(weights).filter(([, w]) => w).map(([f, w]) => `${f}:${w}`).join(','),
    '--max-seed-bytes', a['max-seed-bytes']!, '--per-warehouse', a['per-warehouse']!, '--pause-file', pauseFile,
    ...(a.minutes ? ['--minutes', a.minutes] : []),
  ];
  return Promise.all(
    Array.from({ length: jobs }, (_, k) => {
      const args = [...shared, '--shard', `${k}/${jobs}`, '--out', join(out, `shard-${k}`), '--parser-cases', k > 0 ? '0' : String(parserCases)];
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) if (line.trim() && !line.startsWith(' ')) process.stdout.write(`[${k}] ${line}\n`);
      });
      return new Promise<number>((res) => child.on('exit', (code, sig) => res(code ?? (sig ? 128 : 1))));
    }),
  );
}

// ---- one process (or one shard): parsers, then the document cases ----
const [shardNo, shardOf] = a.shard ? a.shard.split('/').map(Number) : [0, 1];
const seeds = loadSeeds({ maxBytes: Number(a['max-seed-bytes']) }).filter((s) => (weights[s.format] ?? 0) > 0);
console.log(
  `fuzz: seed ${seed}, ${cases} document cases${shardOf > 1 ? ` (shard ${shardNo}/${shardOf})` : ''} over ${seeds.length} seed files (${Object.entries(weights).filter(([, w]) => w).map(([f, w]) => `${f}:${w}`).join(', ')}), ${parserCases} runs per parser`,
);

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 200);
// An error nobody catches is a crash too: counted and printed, and the run goes on to give its figures.
// Attributed to the case in flight (or the last one: a thread's late error comes after its answer).
let unhandled = 0;
let currentCase = -1;
for (const ev of ['unhandledRejection', 'uncaughtException'] as const)
  process.on(ev, (e) => {
    unhandled++;
    console.error(`${ev} during or after case ${currentCase}:`, e);
  });

// ---- crawler parsers ----
const parsers: ParserRecord[] = [];
if (parserCases > 0) {
  const pages = seeds.filter((s) => s.format === 'html').map((s) => s.bytes);
  for (const p of parserProperties(pages.length ? pages : [Buffer.from('<html><a href="/a.pdf">附件</a></html>')])) {
    const t = performance.now();
    const d = fc.check(p.property as fc.IProperty<unknown[]>, { numRuns: parserCases, seed });
    parsers.push({
      name: p.name,
      runs: d.numRuns,
      failed: d.failed,
      counterexample: d.failed ? JSON.stringify(d.counterexample)?.slice(0, 2000) : undefined,
      error: d.failed ? String(d.errorInstance).slice(0, 500) : undefined,
      ms: performance.now() - t,
    });
    console.log(`parser ${p.name.padEnd(22)} ${d.numRuns} runs ${d.failed ? `FAILED: ${String(d.errorInstance).slice(0, 200)}` : 'ok'} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
}

// ---- documents through ingestBytes ----
const neighbours = [SEED.s000, SEED.s004].map((f) => ({ name: f, bytes: readFileSync(f) }));
const gen = fc.sample(fuzzCase(seeds, weights), { numRuns: cases, seed });
const results: CaseRecord[] = [];
let wh: FuzzWarehouse | null = null;
const t0 = performance.now();
let paused = 0;
const deadline = () => (a.minutes ? t0 + paused + Number(a.minutes) * 60_000 : Infinity);
for (let i = shardNo; i < gen.length; i += shardOf) {
  if (existsSync(pauseFile)) {
    const p0 = performance.now();
    console.log(`paused (${pauseFile} exists) before case ${i}`);
    while (existsSync(pauseFile)) await sleep(1000);
    paused += performance.now() - p0;
    console.log(`resumed after ${((performance.now() - p0) / 60000).toFixed(1)} min`);
  }
  if (performance.now() > deadline()) {
    console.log(`--minutes reached after ${results.length} cases`);
    break;
  }
  if (!wh || wh.cases >= Number(a['per-warehouse'])) {
    wh?.close();
    wh = await new FuzzWarehouse(neighbours, { timeoutMs, hangMs }).open();
  }
  const c = gen[i];
  currentCase = i;
  const bytes = await applyMutation(seeds, c);
  const r = await wh.run(bytes, `fuzz:${i}`);
  sampleRss();
  const res = { ...r, n: i, format: seeds[c.seed].format, mutation: c.mutation.kind, what: describeCase(seeds, c) };
  results.push(res);
  if (r.verdict !== 'ok') {
    writeFileSync(join(out, 'cases', `${i}-${r.verdict}-${seeds[c.seed].format}.bin`), bytes);
    console.log(`case ${i} ${r.verdict}: ${res.what} → ${r.status} ${r.error?.split('\n')[0] ?? ''}`);
  }
  if (results.length % 50 === 0) {
    if (a.shard) writeFileSync(join(out, 'shard.json'), JSON.stringify(shardReport()));
    const bad = results.filter((x) => x.verdict !== 'ok').length;
    console.log(`… ${results.length}/${Math.ceil((gen.length - shardNo) / shardOf)} cases, ${bad} not ok, ${((performance.now() - t0 - paused) / 60000).toFixed(1)} min`);
  }
}
wh?.close();
clearInterval(rssTimer);

function shardReport(): ShardReport {
  return {
    seed,
    timeoutMs,
    hangMs,
    minutes: (performance.now() - t0 - paused) / 60000,
    pausedMinutes: paused / 60000,
    peakRssMb: peakRss / 1024 / 1024,
    unhandled,
    parsers,
    results: results.map((r) => ({ ...r, error: r.verdict === 'ok' ? null : r.error })),
  };
}
const report = shardReport();
const s = summarize(report, 1);
if (a.shard) writeFileSync(join(out, 'shard.json'), JSON.stringify(report));
else {
  console.log(s.text);
  writeFileSync(join(out, 'report.json'), JSON.stringify(s.json, null, 2));
}
process.exit(s.failed ? 1 : 0);
