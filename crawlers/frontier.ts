/**
 * The persistent frontier: an append-only journal per crawl job (`state/jobs/<job>.jsonl`).
 *
 *   {"e":"start", "at":…}                  a crawl (or a resume of it) began
 *   {"e":"add", "req":{…}}                 a request entered the frontier
 *   {"e":"done", "rec":{…FetchRecord}}     it was fetched (or failed / was skipped) — its final record
 *   {"e":"end", "at":…}                    every request is done: the crawl is complete
 *
 * A job is identified by its sources and start URLs. Running the same command again resumes an
 * unfinished journal (requests added but not done are fetched; done ones never again); after an
 * `end`, the journal is archived and a fresh incremental crawl starts. Lines are written with
 * appendFileSync before anything depends on them, and a line cut by `kill -9` is ignored.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requestKey, type CrawlRequest, type FetchRecord } from './types.ts';

/** Finished journals kept per job (for audit; the warehouse's fetches table has every record too). */
export const KEEP_ARCHIVED = 10;

type Event =
  | { e: 'start'; at: string }
  | { e: 'add'; req: CrawlRequest }
  | { e: 'done'; rec: FetchRecord }
  | { e: 'end'; at: string };

export class Frontier {
  private readonly file: string;
  private added = new Map<string, CrawlRequest>();
  private done = new Map<string, FetchRecord>();
  private pending: CrawlRequest[] = [];
  /** True when this job resumes an interrupted crawl. */
  readonly resumed: boolean;
  /** Number of earlier starts of this journal (1 on a fresh crawl). */
  readonly starts: number;

  constructor(stateDir: string, readonly job: string) {
    this.file = join(stateDir, 'jobs', `${job}.jsonl`);
    let starts = 0;
    let ended = false;
    if (existsSync(this.file)) {
      const lines = readFileSync(this.file, 'utf8').split('\n');
      for (const line of lines) {
        if (!line.trim()) continue;
        let ev: Event;
        try {
          ev = JSON.parse(line) as Event;
        } catch {
          continue;
        }
        if (ev.e === 'start') starts++;
        else if (ev.e === 'add') this.added.set(requestKey(ev.req), ev.req);
        else if (ev.e === 'done') this.done.set(ev.rec.key, ev.rec);
        else if (ev.e === 'end') ended = true;
      }
      if (ended) {
        renameSync(this.file, this.file.replace(/\.jsonl$/, `.${Date.now()}.jsonl`));
        // Keep the journals of the last KEEP_ARCHIVED finished crawls of this job.
        const dir = join(stateDir, 'jobs');
        const old = readdirSync(dir)
          .filter((f) => f.startsWith(`${job}.`) && /\.\d+\.jsonl$/.test(f))
          .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
        for (const f of old.slice(0, Math.max(0, old.length - KEEP_ARCHIVED))) rmSync(join(dir, f), { force: true });
        this.added.clear();
        this.done.clear();
        starts = 0;
      }
    }
    this.resumed = starts > 0;
    this.starts = starts + 1;
    for (const [k, r] of this.added) if (!this.done.has(k)) this.pending.push(r);
    this.write({ e: 'start', at: new Date().toISOString() });
  }

  private write(ev: Event) {
    appendFileSync(this.file, JSON.stringify(ev) + '\n');
  }

  /** Add a request unless it is already known; returns true when it was new. */
  add(req: CrawlRequest): boolean {
    const k = requestKey(req);
    if (this.added.has(k)) return false;
    this.added.set(k, req);
    this.write({ e: 'add', req });
    this.pending.push(req);
    return true;
  }

  has(req: Pick<CrawlRequest, 'url' | 'method' | 'body'>) {
    return this.added.has(requestKey(req));
  }

  /** Take every pending request (the caller schedules them). */
  drain(): CrawlRequest[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  markDone(rec: FetchRecord) {
    this.done.set(rec.key, rec);
    this.write({ e: 'done', rec });
  }

  isDone(key: string) {
    return this.done.has(key);
  }

  /** Requests added for a script-built listing's data endpoints (fallback_for = page) and not done yet. */
  pendingFor(page: string): number {
    let n = 0;
    for (const [k, r] of this.added) if (r.fallback_for === page && !this.done.has(k)) n++;
    return n;
  }

  /** The final record of a request, once done. */
  get(key: string): FetchRecord | undefined {
    return this.done.get(key);
  }

  /** Requests in the frontier and how many of them are done (robots.txt fetches are not frontier requests). */
  get counts() {
    let done = 0;
    for (const k of this.done.keys()) if (this.added.has(k)) done++;
    return { added: this.added.size, done };
  }

  /** Every final record of this job, in completion order (including those from before a resume). */
  records(): FetchRecord[] {
    return [...this.done.values()];
  }

  /** Requests already done before this process started, whose pages must still be re-read for links on resume. */
  doneRecords(): FetchRecord[] {
    return [...this.done.values()];
  }

  finish() {
    this.write({ e: 'end', at: new Date().toISOString() });
  }
}
