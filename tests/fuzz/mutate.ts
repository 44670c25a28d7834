/**
 * Mutations of real files, as fast-check arbitraries (so a failing case shrinks to a small one):
 *
 *   bitflip    flip 1–16 bits at positions anywhere in the file
 *   truncate   keep only the first part
 *   splice     the head of one file joined to the tail of a file of another format
 *   zero       zero a range
 *   duplicate  copy a range and insert it elsewhere
 *   inner      for ZIP formats (DOCX/XLSX): mutate one entry (document.xml, a sheet, sharedStrings…)
 *              with one of the above and re-zip, so the XML parsers see damage the ZIP CRC would
 *              otherwise catch first
 *
 * Positions are drawn as integers and taken modulo the length: shrinking goes toward the start
 * of the file and toward fewer, smaller changes.
 */
import fc from 'fast-check';
import JSZip from 'jszip';
import yauzl from 'yauzl';

/**
 * The entries of a ZIP, read with yauzl (which checks the sizes the file declares and reports
 * errors through its callbacks; jszip throws some of them from a timer, uncatchable), or null when
 * the ZIP is unreadable or inflates beyond `maxTotal` bytes.
 */
export function readZipEntries(buf: Uint8Array, maxTotal: number): Promise<Map<string, Uint8Array> | null> {
  return new Promise((resolveAll) => {
    const out = new Map<string, Uint8Array>();
    let total = 0;
    let done = false;
    const finish = (v: Map<string, Uint8Array> | null, zip?: yauzl.ZipFile) => {
      if (done) return;
      done = true;
      zip?.close();
      resolveAll(v);
    };
    yauzl.fromBuffer(Buffer.from(buf), { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return finish(null);
      zip.on('error', () => finish(null, zip));
      zip.on('end', () => finish(out));
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        total += e.uncompressedSize;
        if (total > maxTotal) return finish(null, zip);
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return finish(null, zip);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', () => finish(null, zip));
          stream.on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
import type { Seed } from './seeds.ts';

export type ByteMutation =
  | { kind: 'bitflip'; flips: { at: number; bit: number }[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'zero'; at: number; len: number }
  | { kind: 'duplicate'; from: number; len: number; to: number };

export type Mutation = ByteMutation | { kind: 'splice'; other: number; at: number; from: number } | { kind: 'inner'; entry: number; inner: ByteMutation };

export interface FuzzCase {
  seed: number;
  mutation: Mutation;
}

const pos = fc.nat({ max: 0x7fffffff });
const len = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 65_536 }));

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('bitflip' as const), flips: fc.array(fc.record({ at: pos, bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: pos }),
  fc.record({ kind: fc.constant('zero' as const), at: pos, len }),
  fc.record({ kind: fc.constant('duplicate' as const), from: pos, len, to: pos }),
);

/** Cases over `seeds` (indices into that array): a format drawn uniformly, then a file of it, then a mutation. */
export function fuzzCase(seeds: Seed[], weights: Partial<Record<Seed['format'], number>> = {}): fc.Arbitrary<FuzzCase> {
  const zips = new Set(seeds.flatMap((s, i) => (s.format === 'docx' || s.format === 'xlsx' ? [i] : [])));
  // Formats equally often (or as weighted), whatever the number of seed files of each.
  const formats = [...new Set(seeds.map((s) => s.format))].filter((f) => (weights[f] ?? 1) > 0);
  if (!formats.length) throw new Error('fuzz: every format has weight 0');
  const format = fc.oneof(...formats.map((f) => ({ weight: weights[f] ?? 1, arbitrary: fc.constant(f) })));
  const seedIndex = format.chain((f) => fc.constantFrom(...seeds.flatMap((s, i) => (s.format === f ? [i] : []))));
  return seedIndex.chain((seed) =>
    fc.record({
      seed: fc.constant(seed),
      mutation: fc.oneof(
        { weight: 6, arbitrary: byteMutation as fc.Arbitrary<Mutation> },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), other: fc.nat({ max: seeds.length - 1 }), at: pos, from: pos }) },
        ...(zips.has(seed) ? [{ weight: 3, arbitrary: fc.record({ kind: fc.constant('inner' as const), entry: fc.nat({ max: 1000 }), inner: byteMutation }) as fc.Arbitrary<Mutation> }] : []),
      ),
    }),
  );
}

/** Apply one byte mutation (a new array; the input is never changed). */
export function applyBytes(src: Uint8Array, m: ByteMutation): Uint8Array {
  const n = src.length;
  if (n === 0) return new Uint8Array(0);
  switch (m.kind) {
    case 'bitflip': {
      const out = Uint8Array.from(src);
      for (const f of m.flips) out[f.at % n] ^= 1 << f.bit;
      return out;
    }
    case 'truncate':
      return src.slice(0, m.at % n);
    case 'zero': {
      const out = Uint8Array.from(src);
      const a = m.at % n;
      out.fill(0, a, Math.min(n, a + m.len));
      return out;
    }
    case 'duplicate': {
      const a = m.from % n;
      const piece = src.subarray(a, Math.min(n, a + m.len));
      const to = m.to % (n + 1);
      const out = new Uint8Array(n + piece.length);
      out.set(src.subarray(0, to), 0);
      out.set(piece, to);
      out.set(src.subarray(to), to + piece.length);
      return out;
    }
  }
}

/** Prefer the entries the extractors read first (the document body, sheets, shared strings). */
const entryRank = (name: string) => (/document\.xml$|sheet\d*\.xml$|sharedStrings\.xml$|workbook\.xml$|styles\.xml$|\[Content_Types\]\.xml$/.test(name) ? 0 : 1);

export async function applyMutation(seeds: Seed[], c: FuzzCase): Promise<Uint8Array> {
  const src = seeds[c.seed].bytes;
  const m = c.mutation;
  if (m.kind === 'splice') {
    // Join with a file of another format when there is one (PDF head + XLSX tail, …).
    const others = seeds.filter((s) => s.format !== seeds[c.seed].format);
    const other = others.length ? others[m.other % others.length].bytes : seeds[m.other % seeds.length].bytes;
    const a = src.length ? m.at % src.length : 0;
    const b = other.length ? m.from % other.length : 0;
    const out = new Uint8Array(a + other.length - b);
    out.set(src.subarray(0, a), 0);
    out.set(other.subarray(b), a);
    return out;
  }
  if (m.kind === 'inner') {
    const entries = await readZipEntries(src, 32 * 1024 * 1024);
    if (!entries?.size) return applyBytes(src, m.inner); // not a readable ZIP (a fixture that lies, a bomb): mutate the bytes
    const names = [...entries.keys()].sort((x, y) => entryRank(x) - entryRank(y) || x.localeCompare(y));
    const name = names[m.entry % names.length];
    const zip = new JSZip();
    for (const [n, data] of entries) zip.file(n, n === name ? applyBytes(data, m.inner) : data);
    return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
  }
  return applyBytes(src, m);
}

/** A short description of a case, for reports. */
export function describeCase(seeds: Seed[], c: FuzzCase): string {
  const m = c.mutation;
  const what =
    m.kind === 'inner' ? `inner(${m.entry}) ${JSON.stringify(m.inner)}` : m.kind === 'splice' ? `splice at ${m.at} with other ${m.other} from ${m.from}` : JSON.stringify(m);
  return `${seeds[c.seed].name}: ${what}`;
}
