/**
 * Safe reading of OOXML zip packages (DOCX, XLSX) before any library inflates them.
 *
 * 1. The central directory is read (yauzl, nothing inflated) and the package is refused when an
 *    entry's declared compression ratio, an entry's declared size, the total declared size or the
 *    number of entries is beyond a limit — the classic zip bomb is refused here.
 * 2. The entries are then inflated with yauzl, which checks that each stream is exactly its
 *    declared size (a bomb that lies in its central directory fails here), under a running total cap.
 *
 * The inflated parts are returned so callers can read `word/document.xml` or check every XML part
 * (`xmlguard.ts`) without a second pass.
 */
import yauzl from 'yauzl';
import { ExtractError } from '../types.ts';

export interface ZipLimits {
  /** Most entries a package may have. */
  maxEntries: number;
  /** Sum of declared uncompressed sizes, bytes. */
  maxTotalBytes: number;
  /** Declared uncompressed size of one entry, bytes. */
  maxEntryBytes: number;
  /** Highest uncompressed / compressed ratio for an entry above `ratioFloorBytes`. */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked (tiny XML parts compress 100× harmlessly). */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 300 * 1024 * 1024,
  maxEntryBytes: 200 * 1024 * 1024,
  maxRatio: 150,
  ratioFloorBytes: 2 * 1024 * 1024,
};

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

function openZip(bytes: Uint8Array): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip),
    );
  });
}

/** Read the central directory only: entry names and declared sizes, nothing inflated. */
export async function listZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntryInfo[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(bytes);
  } catch (e) {
    throw new ExtractError('corrupt', `not a readable zip package: ${(e as Error).message}`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ExtractError('unsafe', `zip has ${zip.entryCount} entries (limit ${limits.maxEntries})`);
  }
  return new Promise((resolve, reject) => {
    const out: ZipEntryInfo[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push({ name: e.fileName, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, encrypted: (e.generalPurposeBitFlag & 1) === 1 });
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', (err: Error) => reject(new ExtractError('corrupt', `zip central directory unreadable: ${err.message}`)));
    zip.readEntry();
  });
}

/** Refuse a package from its declared sizes (throws ExtractError 'unsafe'). */
export function checkDeclaredSizes(entries: ZipEntryInfo[], limits: ZipLimits = DEFAULT_ZIP_LIMITS): void {
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize > limits.maxEntryBytes)
      throw new ExtractError('unsafe', `zip entry ${e.name} declares ${e.uncompressedSize} bytes uncompressed (limit ${limits.maxEntryBytes}): refused before inflating`);
    if (e.uncompressedSize >= limits.ratioFloorBytes) {
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (ratio > limits.maxRatio)
        throw new ExtractError('unsafe', `zip entry ${e.name} has compression ratio ${ratio.toFixed(0)}:1 (limit ${limits.maxRatio}:1): zip bomb refused before inflating`);
    }
  }
  if (total > limits.maxTotalBytes)
    throw new ExtractError('unsafe', `zip declares ${total} bytes uncompressed in total (limit ${limits.maxTotalBytes}): refused before inflating`);
  if (entries.some((e) => e.encrypted)) throw new ExtractError('encrypted', 'zip entries are encrypted (password-protected package)');
}

/**
 * Check the declared sizes, then inflate the entries accepted by `want` (all by default) with
 * size validation and a running total cap. Returns name → bytes.
 */
export async function readZipSafely(
  bytes: Uint8Array,
  want: (name: string) => boolean = () => true,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<{ entries: ZipEntryInfo[]; files: Map<string, Buffer> }> {
  const entries = await listZip(bytes, limits);
  checkDeclaredSizes(entries, limits);
  const zip = await openZip(bytes);
  const files = new Map<string, Buffer>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      zip.close();
      reject(err instanceof ExtractError ? err : new ExtractError('corrupt', `zip entry unreadable: ${err.message}`));
    };
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName.endsWith('/') || !want(e.fileName)) return zip.readEntry();
      zip.openReadStream(e, (err, stream) => {
        if (err || !stream) return fail(err ?? new Error('no stream'));
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => {
          total += c.length;
          if (total > limits.maxTotalBytes) {
            stream.destroy();
            fail(new ExtractError('unsafe', `zip inflates past ${limits.maxTotalBytes} bytes: refused`));
            return;
          }
          chunks.push(c);
        });
        stream.on('error', (er: Error) =>
          fail(
            /too many bytes/i.test(er.message)
              ? new ExtractError('unsafe', `zip entry ${e.fileName} inflates past its declared ${e.uncompressedSize} bytes (${er.message}): zip bomb refused`)
              : er,
          ),
        );
        stream.on('end', () => {
          files.set(e.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', fail);
    zip.readEntry();
  });
  return { entries, files };
}
