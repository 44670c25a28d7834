/**
 * LibreOffice headless conversion (DOC / RTF → DOCX, XLS → XLSX; also used by the fixture script).
 *
 * Each conversion runs in its own temporary directory with its own user profile
 * (`-env:UserInstallation=file:///…`), so parallel conversions never share a profile lock; in its
 * own process group, so a timeout kills soffice and every child it forked (oosplash → soffice.bin);
 * and the output file is checked, because soffice exits 0 when it could not load or write.
 * A p-queue bounds how many run at once (JIXIAO_SOFFICE_CONCURRENCY, default 2).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import PQueue from 'p-queue';
import { ExtractError } from '../types.ts';

export interface ConvertOptions {
  /** Wall-clock budget for the conversion, ms (default 120 s, or JIXIAO_SOFFICE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** soffice binary (default `soffice`, or JIXIAO_SOFFICE). */
  binary?: string;
  /** Import filter name, e.g. `HTML (StarWriter)` (default: LibreOffice detects from content). */
  inFilter?: string;
}

export interface ConvertResult {
  bytes: Buffer;
  seconds: number;
  stderr: string;
}

const concurrency = Math.max(1, Number(process.env.JIXIAO_SOFFICE_CONCURRENCY ?? 2) || 2);
const queue = new PQueue({ concurrency });

/** Export filters by target extension (LibreOffice needs them explicitly for some sources, e.g. HTML). */
const EXPORT_FILTER: Record<string, string> = {
  docx: 'docx:MS Word 2007 XML',
  doc: 'doc:MS Word 97',
  xlsx: 'xlsx:Calc MS Excel 2007 XML',
  xls: 'xls:MS Excel 97',
  html: 'html',
};

/** Is a soffice binary on PATH? (tests that need LibreOffice skip cleanly without it.) */
export function sofficeAvailable(binary = process.env.JIXIAO_SOFFICE ?? 'soffice'): boolean {
  const dirs = (process.env.PATH ?? '').split(':');
  if (binary.includes('/')) return existsSync(binary);
  return dirs.some((d) => d && existsSync(join(d, binary)));
}

/**
 * Convert `bytes` (saved as `input.<inExt>`) to `toExt`. Throws ExtractError 'timeout' when the
 * budget runs out (the whole process group is killed), 'conversion_failed' when soffice fails or
 * writes nothing.
 */
export function convertWithSoffice(bytes: Uint8Array, inExt: string, toExt: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  return queue.add(() => runSoffice(bytes, inExt, toExt, opts)) as Promise<ConvertResult>;
}

async function runSoffice(bytes: Uint8Array, inExt: string, toExt: string, opts: ConvertOptions): Promise<ConvertResult> {
  const timeoutMs = opts.timeoutMs ?? (Number(process.env.JIXIAO_SOFFICE_TIMEOUT_MS) || 120_000);
  const binary = opts.binary ?? process.env.JIXIAO_SOFFICE ?? 'soffice';
  const dir = mkdtempSync(join(tmpdir(), 'jixiao-soffice-'));
  const t0 = performance.now();
  try {
    const input = join(dir, `input.${inExt}`);
    const outDir = join(dir, 'out');
    writeFileSync(input, bytes);
    const args = [
      '--headless',
      '--norestore',
      '--nologo',
      '--nodefault',
      '--nolockcheck',
      '--nofirststartwizard',
      `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
      ...(opts.inFilter ? [`--infilter=${opts.inFilter}`] : []),
      '--convert-to',
      EXPORT_FILTER[toExt] ?? toExt,
      '--outdir',
      outDir,
      input,
    ];
    const { code, signal, stderr, timedOut } = await new Promise<{ code: number | null; signal: string | null; stderr: string; timedOut: boolean }>((resolve, reject) => {
      let child;
      try {
        // detached: the child leads its own process group, so -pid reaches soffice.bin too.
        child = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dir } });
      } catch (e) {
        reject(new ExtractError('conversion_failed', `cannot start ${binary}: ${(e as Error).message}`));
        return;
      }
      let err = '';
      let timedOut = false;
      child.stdout?.on('data', () => {});
      child.stderr?.on('data', (c: Buffer) => {
        if (err.length < 8192) err += c.toString();
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new ExtractError('conversion_failed', `cannot run ${binary}: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        // Leftover children of the group (a forked soffice.bin) must not outlive the conversion.
        kill();
        resolve({ code, signal, stderr: err, timedOut });
      });
    });
    const seconds = (performance.now() - t0) / 1000;
    if (timedOut) throw new ExtractError('timeout', `LibreOffice conversion ${inExt}→${toExt} killed after ${timeoutMs} ms`);
    const out = join(outDir, `input.${toExt}`);
    if (!existsSync(out) || statSync(out).size === 0) {
      const why = stderr.split('\n').filter((l) => l && !/javaldx/.test(l)).join(' ').slice(0, 300);
      throw new ExtractError('conversion_failed', `LibreOffice wrote no ${toExt} (exit ${code ?? signal})${why ? `: ${why}` : ''}`);
    }
    return { bytes: readFileSync(out), seconds, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
