/**
 * `jixiao crawl URL…` with no config and no patterns: given only the listing URLs of the
 * portal's TRS, Hanweb and GBK sites, the crawler finds every attachment by itself.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crawl } from '../crawlers/crawler.ts';
import { adhocSource } from '../crawlers/config.ts';
import { Portal } from '../crawlers/portal/server.ts';

let portal: Portal;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jixiao-adhoc-'));
  portal = await new Portal({ crawlDelay: 0.05, faults: false }).start();
});

afterAll(async () => {
  await portal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('discovers every attachment of TRS, Hanweb and GBK listings without per-site configuration', async () => {
  const urls = [portal.url('trs', '/czys/index.html'), portal.url('hanweb', '/col/col1229/index.html'), portal.url('gbk', '/list?page=1')];
  const src = adhocSource(urls, { allow_private_addresses: true, delay_seconds: 0.02 });
  expect(src.patterns).toEqual({ listing: [], detail: [], attachment: [], exclude: [] });
  const r = await crawl({ storeDir: join(dir, 'raw'), sources: [src] });
  const got = new Set(r.records.filter((x) => x.kind === 'attachment' && x.sha256).map((x) => x.url));
  const want = [...portal.expectedAttachments('trs'), ...portal.expectedAttachments('hanweb'), ...portal.expectedAttachments('gbk')];
  expect(want.length).toBe(22 + 7 + 4);
  expect(want.filter((u) => !got.has(u))).toEqual([]);
  expect(portal.log.filter((e) => e.site === 'foreign' || e.site === 'js')).toEqual([]);
}, 120_000);
