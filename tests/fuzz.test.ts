/**
 * Fuzzing with a budget, the default run inside `npm test` (the long run: `npm run fuzz -- --cases
 * 10000`, see docs/fuzz.md). Mutated real files (bit flips, truncation, splices of two formats,
 * zeroed and duplicated ranges, damage inside DOCX/XLSX entries) go through ingestBytes into an
 * in-memory warehouse holding two good documents; each must end as a `documents` row with a status
 * and a reason, the neighbours intact, no crash, no hang. The crawler's parsers get fast-check
 * inputs and mutated saved pages. `JIXIAO_FUZZ_SEED` / `JIXIAO_FUZZ_RUNS` change the seed and the
 * number of document cases.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzWarehouse } from './fuzz/harness.ts';
import { applyMutation, describeCase, fuzzCase, type FuzzCase } from './fuzz/mutate.ts';
import { parserProperties } from './fuzz/parsers.ts';
import { loadSeeds, type Seed } from './fuzz/seeds.ts';
import { SEED } from './helpers/paths.ts';
import { BudgetedWorker } from '../extract/budgeted-worker.ts';

const FUZZ_SEED = Number(process.env.JIXIAO_FUZZ_SEED ?? 20261203);
const DOC_RUNS = Number(process.env.JIXIAO_FUZZ_RUNS ?? 16);
const PARSER_RUNS: Record<string, number> = { 'discover links': 40 };

// The cheaper seeds: every format but DOC/XLS (LibreOffice takes ~20 s a file here; they get one case each below).
const seeds: Seed[] = loadSeeds({ maxBytes: 250_000 }).filter((s) => s.format !== 'doc' && s.format !== 'xls');
const all = loadSeeds({ maxBytes: 250_000 });
let wh: FuzzWarehouse;

beforeAll(async () => {
  wh = await new FuzzWarehouse([SEED.s000, SEED.s004].map((f) => ({ name: f, bytes: readFileSync(f) })), { timeoutMs: 5_000, hangMs: 30_000 }).open();
}, 120_000);
afterAll(() => wh?.close());

async function runCase(pool: Seed[], c: FuzzCase) {
  const bytes = await applyMutation(pool, c);
  const r = await wh.run(bytes, `fuzz:${describeCase(pool, c)}`);
  return { ...r, what: describeCase(pool, c) };
}

describe('fuzzing the crawler parsers', () => {
  const pages = loadSeeds({ maxBytes: 80_000 })
    .filter((s) => s.format === 'html')
    .slice(0, 12)
    .map((s) => s.bytes);
  for (const p of parserProperties(pages))
    it(`${p.name}: any input gives a well-formed answer, fast`, () => {
      fc.assert(p.property as fc.IProperty<unknown[]>, { numRuns: PARSER_RUNS[p.name] ?? 120, seed: FUZZ_SEED });
    }, 120_000);
});

describe('fuzzing the extractors through ingest', () => {
  it('has seeds of every format', () => {
    expect(new Set(all.map((s) => s.format))).toEqual(new Set(['pdf', 'docx', 'doc', 'xlsx', 'xls', 'html', 'text']));
  });

  it(`${DOC_RUNS} mutated documents: each recorded with a status and a reason, neighbours intact`, async () => {
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(fuzzCase(seeds), async (c) => {
        const r = await runCase(seeds, c);
        seen.push(r.status ?? 'none');
        expect(r.verdict, `${r.what} → ${r.status}: ${r.error}`).toBe('ok');
      }),
      { numRuns: DOC_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    // The mutants are not all refused at the door: some are still read.
    expect(seen.some((s) => s === 'ok' || s === 'no_tables' || s === 'partial')).toBe(true);
    expect(seen.some((s) => !['ok', 'no_tables', 'partial', 'low_confidence'].includes(s))).toBe(true);
  }, 240_000);

  it('one damaged DOC and one damaged XLS (through LibreOffice) end recorded too', async () => {
    const doc = all.findIndex((s) => s.format === 'doc');
    const xls = all.findIndex((s) => s.format === 'xls');
    for (const c of [
      { seed: doc, mutation: { kind: 'bitflip', flips: [{ at: 4000, bit: 3 }, { at: 9000, bit: 6 }] } },
      { seed: xls, mutation: { kind: 'truncate', at: 20_000 } },
    ] as FuzzCase[]) {
      const r = await runCase(all, c);
      expect(r.verdict, `${r.what} → ${r.status}: ${r.error}`).toBe('ok');
    }
  }, 120_000);
});

describe('regressions found by fuzzing', () => {
  // The fuzz run saw a third of the DOCX cases end as `timeout` in the thread's start-up: the
  // document after a timed-out one (whose thread is killed) paid for a fresh thread loading tsx
  // and the libraries, seconds on a loaded machine. The budget now starts when the thread is ready.
  it('a fresh thread\'s start-up is not charged to the document\'s budget', async () => {
    const w = new BudgetedWorker<{ echo: string }, string>(new URL('./fixtures/slow-start-worker.mjs', import.meta.url));
    try {
      // The thread takes 3 s to start; the job itself is instant. Before, this was a timeout.
      expect(await w.run({ echo: 'a' }, { timeoutMs: 1_000, memoryMb: 64 }, 'echo')).toBe('a');
      expect(await w.run({ echo: 'b' }, { timeoutMs: 1_000, memoryMb: 64 }, 'echo')).toBe('b');
    } finally {
      w.stop();
    }
  }, 60_000);

  // The 10,000-case run saw two damaged PDFs whose pdf.js promise rejected after the document was
  // answered: the thread died while no job listened to it, and its error became an uncaught
  // exception of the whole process. It now ends that thread only; the next job gets a fresh one.
  it('a thread failing between jobs ends the thread, not the process', async () => {
    const w = new BudgetedWorker<{ echo: string }, string>(new URL('./fixtures/late-error-worker.mjs', import.meta.url));
    try {
      expect(await w.run({ echo: 'a' }, { timeoutMs: 5_000, memoryMb: 64 }, 'echo')).toBe('a');
      await new Promise((r) => setTimeout(r, 500));
      expect(w.lateErrors).toBe(1);
      expect(await w.run({ echo: 'b' }, { timeoutMs: 5_000, memoryMb: 64 }, 'echo')).toBe('b');
    } finally {
      w.stop();
    }
  }, 60_000);
});
