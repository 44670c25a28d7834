/**
 * kill -9 at random moments: the crawl (a child process running `jixiao crawl`) is SIGKILLed
 * several times and restarted with the same command each time; the final raw store must equal
 * the store of an uninterrupted crawl, and the journal must be complete.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crawl } from '../crawlers/crawler.ts';
import { parseSources } from '../crawlers/config.ts';
import { resolveAll } from '../crawlers/sources.ts';
import { Portal } from '../crawlers/portal/server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCES = ['portal-trs', 'portal-hanweb', 'portal-gbk'];
let portal: Portal;
let dir: string;

const objects = (store: string) => {
  const root = join(store, 'objects');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .flatMap((d) => readdirSync(join(root, d)))
    .filter((f) => /^[0-9a-f]{64}$/.test(f))
    .sort();
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-kill-'));
  portal = await new Portal({ crawlDelay: 0.05, faults: false }).start();
});

afterAll(async () => {
  await portal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const doneEvents = (store: string) => {
  const d = join(store, 'state', 'jobs');
  if (!existsSync(d)) return 0;
  return readdirSync(d)
    .filter((f) => /^[0-9a-f]+\.jsonl$/.test(f))
    .reduce((n, f) => n + (readFileSync(join(d, f), 'utf8').match(/"e":"done"/g)?.length ?? 0), 0);
};

/**
 * Run `jixiao crawl` in a child. With `killAfterDone`, SIGKILL it once that many more fetches
 * have completed (plus a random few ms, so the kill lands anywhere in the next fetch) — a
 * random point of the crawl itself, whatever the start-up time of the process.
 */
function runChild(config: string, store: string, killAfterDone: number | null): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'jixiao.mjs'), 'crawl', '--config', config, '--store', store, '-q', '--source', ...SOURCES], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const target = killAfterDone === null ? null : doneEvents(store) + killAfterDone;
    const timer =
      target === null
        ? null
        : setInterval(() => {
            if (doneEvents(store) >= target) {
              clearInterval(timer!);
              setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 40));
            }
          }, 5);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      done({ code, signal, out });
    });
  });
}

it('survives SIGKILL at random points and ends with the same store as an uninterrupted crawl', async () => {
  const yaml = portal.sourcesYaml();
  const config = join(dir, 'sources.yaml');
  writeFileSync(config, yaml);

  // Reference: uninterrupted, in-process.
  const sources = resolveAll(parseSources(yaml), SOURCES);
  const ref = await crawl({ storeDir: join(dir, 'ref'), sources });
  const refObjects = objects(join(dir, 'ref'));
  expect(ref.summary.failed).toBe(0);
  expect(refObjects.length).toBeGreaterThan(20);
  const refAttachments = ref.records.filter((r) => r.kind === 'attachment' && r.sha256).length;

  // Interrupted: several SIGKILLs at random points of the crawl.
  const store = join(dir, 'killed');
  const logStart = portal.log.length;
  let kills = 0;
  for (let i = 0; i < 5; i++) {
    const r = await runChild(config, store, 1 + Math.floor(Math.random() * 10));
    if (r.signal === 'SIGKILL') kills++;
    else expect(r.code, r.out).toBe(0);
  }
  expect(kills).toBeGreaterThanOrEqual(3);
  const final = await runChild(config, store, null);
  expect(final.code, final.out).toBe(0);

  expect(objects(store)).toEqual(refObjects);
  // The journal of the resumed crawl is complete and holds every attachment once.
  const jobs = readdirSync(join(store, 'state', 'jobs'));
  expect(jobs.length).toBe(1);
  const events = readFileSync(join(store, 'state', 'jobs', jobs[0]), 'utf8').trim().split('\n').map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
  expect(events.at(-1).e).toBe('end');
  expect(events.filter((e) => e.e === 'start').length).toBeGreaterThanOrEqual(kills + 1);
  const doneAttachments = new Set(events.filter((e) => e.e === 'done' && e.rec.kind === 'attachment' && e.rec.sha256).map((e) => e.rec.url));
  expect(doneAttachments.size).toBe(refAttachments);
  // Nothing stored was downloaded again: at most one full (200) download per attachment, plus one
  // per kill for a download cut off before it was stored.
  const full = portal.log.slice(logStart).filter((e) => /\.pdf|download/.test(e.path) && e.status === 200);
  expect(full.length).toBeLessThanOrEqual(refAttachments + kills);
  const perPath = new Map<string, number>();
  for (const e of full) perPath.set(e.path, (perPath.get(e.path) ?? 0) + 1);
  // Per attachment the same bound: one stored download, plus at most one cut off per kill (a
  // resumed crawl re-requests a cut-off download first, and the next kill can cut it again).
  expect(Math.max(...perPath.values()), JSON.stringify([...perPath].filter(([, n]) => n > 1))).toBeLessThanOrEqual(1 + kills);
}, 420_000);
