/**
 * The object store as the queue's workers see it: content-addressed bytes by sha256, reachable
 * from every machine. Here a folder every machine mounts at the same path (the crawler's raw
 * store, crawlers/store.ts); the interface is asynchronous so an S3-compatible store (GET/PUT of
 * `objects/<ab>/<sha256>` in a bucket) can take its place without touching the workers.
 */
import { RawStore } from '../../crawlers/store.ts';

export interface ObjectStore {
  /** Where the store lives, as given (a folder path, or e.g. s3://bucket/prefix). */
  readonly location: string;
  has(sha256: string): Promise<boolean>;
  get(sha256: string): Promise<Uint8Array>;
  put(bytes: Uint8Array): Promise<string>;
}

export class FolderObjectStore implements ObjectStore {
  private raw: RawStore;
  constructor(readonly location: string) {
    this.raw = new RawStore(location);
  }
  async has(sha: string) {
    return this.raw.hasObject(sha);
  }
  async get(sha: string) {
    return this.raw.readObject(sha);
  }
  async put(bytes: Uint8Array) {
    return this.raw.putObject(bytes).sha256;
  }
}

/** Open the store a run names: a folder path (or file:// URL) today. */
export function openObjectStore(location: string): ObjectStore {
  if (location.startsWith('file://')) return new FolderObjectStore(new URL(location).pathname);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new Error(`object store ${location}: only shared folders are implemented (an S3-compatible store would implement ObjectStore in pipeline/queue/objects.ts)`);
  return new FolderObjectStore(location);
}
