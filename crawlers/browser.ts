/**
 * A small pool of headless Chromium pages (playwright-core driving Debian's /usr/bin/chromium),
 * started only when a source has a listing that needs JavaScript. Each pool has a fresh
 * user-data-dir, background networking off, and a route filter so the page can only reach
 * what the source may reach. Cookies go in from the HTTP client and come back out to it.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
  '--metrics-recording-only',
  '--mute-audio',
];

export interface RenderOptions {
  cookies?: { name: string; value: string; url: string }[];
  /** Requests the page may make (others are aborted). */
  allow?: (url: string) => boolean;
  userAgent?: string;
  timeoutMs?: number;
}

export class BrowserPool {
  private ctx: Promise<BrowserContext> | null = null;
  private idle: Page[] = [];
  private waiting: ((p: Page) => void)[] = [];
  private created = 0;
  private dir = mkdtempSync(join(tmpdir(), 'jixiao-chromium-'));

  constructor(
    readonly size = 2,
    readonly executablePath = process.env.JIXIAO_CHROMIUM ?? '/usr/bin/chromium',
  ) {}

  private context(userAgent?: string) {
    if (!this.ctx) {
      if (!existsSync(this.executablePath)) throw new Error(`no Chromium at ${this.executablePath} (install the Debian package chromium, or set JIXIAO_CHROMIUM)`);
      this.ctx = chromium.launchPersistentContext(this.dir, {
        executablePath: this.executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        userAgent,
        locale: 'zh-CN',
      });
    }
    return this.ctx;
  }

  private async acquire(userAgent?: string): Promise<Page> {
    const p = this.idle.pop();
    if (p) return p;
    if (this.created < this.size) {
      this.created++;
      return (await this.context(userAgent)).newPage();
    }
    return new Promise((r) => this.waiting.push(r));
  }

  private release(p: Page) {
    const w = this.waiting.shift();
    if (w) w(p);
    else this.idle.push(p);
  }

  /** Load a page, let its scripts run, and return the rendered DOM and the cookies it ended with. */
  async render(url: string, opts: RenderOptions = {}): Promise<{ html: string; cookies: { name: string; value: string }[] }> {
    const ctx = await this.context(opts.userAgent);
    if (opts.cookies?.length) await ctx.addCookies(opts.cookies);
    const page = await this.acquire(opts.userAgent);
    try {
      await page.unroute('**/*').catch(() => {});
      await page.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith('data:') || !opts.allow || opts.allow(u)) return route.continue();
        return route.abort('blockedbyclient');
      });
      await page.goto(url, { waitUntil: 'networkidle', timeout: opts.timeoutMs ?? 30_000 });
      const html = await page.content();
      const origin = new URL(url).origin;
      const cookies = (await ctx.cookies(origin)).map((c) => ({ name: c.name, value: c.value }));
      return { html, cookies };
    } finally {
      this.release(page);
    }
  }

  async close() {
    if (this.ctx) await (await this.ctx).close().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
