/**
 * Runs fuzz cases through the real ingest path (pipeline/ingest.ts ingestBytes) into an in-memory
 * warehouse that already holds good documents (the neighbours), several cases per warehouse, and
 * judges each case:
 *
 *   ok              a `documents` row with a status (ok, no_tables, corrupt, truncated, …) and,
 *                   when not read, a reason — and every neighbour still loaded intact
 *   crash           the extractor threw something that is not an ExtractError (status `failed`),
 *                   the rows could not be loaded (`load_failed`), or ingestBytes itself threw
 *   hang            the case took longer than the hang limit (the extractors' own budgets failed)
 *   lost_row        no `documents` row for the case
 *   lost_neighbour  a neighbour's rows changed
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ingestBytes, sha256 } from '../../pipeline/ingest.ts';
import { detectFormat } from '../../extract/detect.ts';
import { openWarehouse, rows, type Warehouse } from '../../warehouse/db.ts';

export type Verdict = 'ok' | 'crash' | 'hang' | 'lost_row' | 'lost_neighbour';

export interface CaseResult {
  verdict: Verdict;
  docId: string;
  detected: string;
  status: string | null;
  error: string | null;
  ms: number;
  bytes: number;
}

/** Statuses that mean "read" or "refused with a reason" (ExtractError reasons). */
export const RECORDED_STATUSES = new Set([
  'ok', 'partial', 'low_confidence', 'no_tables',
  'empty', 'binary', 'unsupported_format', 'truncated', 'encrypted', 'corrupt', 'too_large', 'timeout', 'unsafe', 'conversion_failed',
]);

const FINGERPRINT = `
  SELECT d.doc_id, d.status, d.bytes,
    (SELECT count(*) FROM doc_tables t WHERE t.doc_id = d.doc_id) AS tables,
    (SELECT count(*) FROM projects p WHERE p.doc_id = d.doc_id) AS projects,
    (SELECT count(*) FROM indicators i WHERE i.doc_id = d.doc_id) AS indicators,
    (SELECT count(*) FROM budget_lines b WHERE b.doc_id = d.doc_id) AS budget_lines
  FROM documents d WHERE d.doc_id IN (SELECT unnest(string_split($1, ','))) ORDER BY d.doc_id`;

async function fingerprint(conn: DuckDBConnection, ids: string[]): Promise<string> {
  return JSON.stringify(await rows(conn, FINGERPRINT, [ids.join(',')]));
}

export class FuzzWarehouse {
  private wh!: Warehouse;
  private neighbourIds: string[] = [];
  private baseline = '';
  cases = 0;

  constructor(
    private readonly neighbours: { name: string; bytes: Uint8Array }[],
    private readonly opts: { timeoutMs: number; hangMs: number },
  ) {}

  /** Open a fresh in-memory warehouse and load the neighbours. */
  async open(): Promise<this> {
    this.wh = await openWarehouse(':memory:');
    this.cases = 0;
    for (const n of this.neighbours) {
      const r = await ingestBytes(this.wh.conn, n.bytes, `neighbour:${n.name}`, { timeoutMs: 60_000 });
      if (r.status !== 'ok') throw new Error(`neighbour ${n.name} did not load: ${r.status} ${r.error}`);
    }
    this.neighbourIds = this.neighbours.map((n) => sha256(n.bytes));
    this.baseline = await fingerprint(this.wh.conn, this.neighbourIds);
    if (JSON.parse(this.baseline).length !== this.neighbours.length) throw new Error('neighbours missing after load');
    return this;
  }

  close() {
    this.wh?.close();
  }

  async run(bytes: Uint8Array, source: string): Promise<CaseResult> {
    const docId = sha256(bytes);
    const detected = detectFormat(bytes).format;
    const t0 = performance.now();
    this.cases++;
    let status: string | null = null;
    let error: string | null = null;
    let threw = false;
    try {
      const r = await ingestBytes(this.wh.conn, bytes, source, { timeoutMs: this.opts.timeoutMs });
      status = r.status;
      error = r.error;
    } catch (e) {
      threw = true;
      error = `ingestBytes threw: ${(e as Error).stack ?? e}`;
    }
    const ms = performance.now() - t0;
    const base = { docId, detected, status, error, ms, bytes: bytes.length };
    if (threw) return { ...base, verdict: 'crash' };
    const [row] = await rows<{ status: string; error: string | null }>(this.wh.conn, 'SELECT status, error FROM documents WHERE doc_id = $1', [docId]);
    if (!row) return { ...base, verdict: 'lost_row' };
    if (!this.neighbourIds.includes(docId) && (await fingerprint(this.wh.conn, this.neighbourIds)) !== this.baseline) return { ...base, verdict: 'lost_neighbour' };
    if (!RECORDED_STATUSES.has(row.status)) return { ...base, verdict: 'crash' };
    if (!['ok', 'partial', 'low_confidence', 'no_tables'].includes(row.status) && !row.error) return { ...base, verdict: 'crash', error: 'refused without a reason' };
    if (ms > this.opts.hangMs) return { ...base, verdict: 'hang' };
    return { ...base, verdict: 'ok' };
  }
}
