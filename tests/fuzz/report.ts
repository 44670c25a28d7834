/**
 * The long run's figures, from the case results of one process or of several shards merged.
 */
import type { CaseResult, Verdict } from './harness.ts';
import type { SeedFormat } from './seeds.ts';

export type CaseRecord = CaseResult & { n: number; format: SeedFormat; mutation: string; what: string };

export interface ParserRecord {
  name: string;
  runs: number;
  failed: boolean;
  counterexample?: string;
  error?: string;
  ms: number;
}

export interface ShardReport {
  seed: number;
  timeoutMs: number;
  hangMs: number;
  /** Wall minutes of the document cases (pauses excluded). */
  minutes: number;
  pausedMinutes: number;
  peakRssMb: number;
  unhandled: number;
  parsers: ParserRecord[];
  results: CaseRecord[];
}

const count = (xs: string[]) => xs.reduce((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {} as Record<string, number>);
const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : 0);

/** Merge shards (one process each) into one report. Minutes: the longest shard; peak RSS: the sum. */
export function mergeShards(shards: ShardReport[]): ShardReport {
  const [first] = shards;
  return {
    seed: first.seed,
    timeoutMs: first.timeoutMs,
    hangMs: first.hangMs,
    minutes: Math.max(...shards.map((s) => s.minutes)),
    pausedMinutes: Math.max(...shards.map((s) => s.pausedMinutes)),
    peakRssMb: shards.reduce((a, s) => a + s.peakRssMb, 0),
    unhandled: shards.reduce((a, s) => a + s.unhandled, 0),
    parsers: shards.flatMap((s) => s.parsers),
    results: shards.flatMap((s) => s.results).sort((a, b) => a.n - b.n),
  };
}

export function summarize(r: ShardReport, jobs: number) {
  const verdicts = count(r.results.map((x) => x.verdict as Verdict));
  const byFormat: Record<string, { cases: number; statuses: Record<string, number>; maxMs: number; medianMs: number; p95Ms: number }> = {};
  for (const f of [...new Set(r.results.map((x) => x.format))].sort()) {
    const xs = r.results.filter((x) => x.format === f);
    const ms = xs.map((x) => x.ms).sort((a, b) => a - b);
    byFormat[f] = { cases: xs.length, statuses: count(xs.map((x) => x.status ?? 'none')), maxMs: ms.at(-1) ?? 0, medianMs: pct(ms, 50), p95Ms: pct(ms, 95) };
  }
  const slowest = r.results.reduce((m, x) => (x.ms > (m?.ms ?? -1) ? x : m), null as CaseRecord | null);
  const bad = r.results.filter((x) => x.verdict !== 'ok');
  const lines = [
    '',
    `document cases: ${r.results.length} in ${r.minutes.toFixed(1)} min over ${jobs} process(es)${r.pausedMinutes ? ` (${r.pausedMinutes.toFixed(1)} min paused, not counted)` : ''} (seed ${r.seed}, budget ${r.timeoutMs} ms per document, hang limit ${r.hangMs} ms)`,
    `verdicts: ${Object.entries(verdicts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `crashes ${verdicts.crash ?? 0}, hangs ${verdicts.hang ?? 0}, lost rows ${verdicts.lost_row ?? 0}, lost neighbours ${verdicts.lost_neighbour ?? 0}, uncaught errors ${r.unhandled}`,
    `mutations: ${Object.entries(count(r.results.map((x) => x.mutation))).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    'by format (of the seed file): cases, median / p95 / max seconds, statuses',
    ...Object.entries(byFormat).map(
      ([f, x]) =>
        `  ${f.padEnd(5)} ${String(x.cases).padStart(6)}  ${(x.medianMs / 1000).toFixed(1)} / ${(x.p95Ms / 1000).toFixed(1)} / ${(x.maxMs / 1000).toFixed(1)} s  ${Object.entries(x.statuses).sort((p, q) => q[1] - p[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ),
    `slowest case: ${slowest ? `${(slowest.ms / 1000).toFixed(1)} s, ${slowest.what} → ${slowest.status}` : '-'}`,
    `peak RSS: ${r.peakRssMb.toFixed(0)} MB${jobs > 1 ? ' (sum of the processes\' peaks)' : ''}`,
    `parsers: ${r.parsers.map((p) => `${p.name} ${p.runs}${p.failed ? ' FAILED' : ''}`).join(', ') || '-'}`,
  ];
  const failed = bad.length > 0 || r.parsers.some((p) => p.failed) || r.unhandled > 0;
  return { text: lines.join('\n'), json: { ...r, jobs, cases: r.results.length, verdicts, byFormat, bad, results: undefined }, failed };
}
