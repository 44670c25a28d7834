/**
 * Published read-only snapshots of the warehouse.
 *
 * DuckDB lets one process write a database file or many processes read it, never both. The
 * pipeline therefore writes to a working database (`data/jixiao.duckdb`) and, at the end of a
 * successful run, publishes a consistent copy that readers open instead:
 *
 *   1. `COPY FROM DATABASE` the working database (one MVCC transaction: a consistent state) into
 *      a new hidden file `data/snapshots/.jixiao-<utc>-<pid>-<rand>.duckdb.tmp`, plus a
 *      `snapshot_info` table saying when and from what it was published and how many rows each
 *      table holds;
 *   2. detach (DuckDB checkpoints the file), fsync it, rename it to `jixiao-<utc>-….duckdb`;
 *   3. point the symlink `data/snapshots/current` at it (new symlink renamed over the old one —
 *      atomic), fsync the folder;
 *   4. delete all but the newest `keep` snapshots (never the current one).
 *
 * Readers resolve `current` to the file it names and open that file read-only: they never touch
 * the working database, so they never wait for the writer, and a snapshot file is complete before
 * its name exists, so no reader can see a half-finished run. A reader that opened a snapshot keeps
 * reading it even if a later publish prunes it (the open file outlives its name on POSIX).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_DB, openWarehouse, rows, type Warehouse } from './db.ts';

/** Name of the pointer (a symlink) inside the snapshot folder. */
export const CURRENT = 'current';
/** How many published snapshots are kept by default. */
export const DEFAULT_KEEP = 3;
const SNAPSHOT_RE = /^jixiao-\d{8}T\d{9}Z-\d+-[0-9a-f]{6}\.duckdb$/;

/** The table `publishSnapshot` adds to every snapshot (not present in the working database). */
export const SNAPSHOT_INFO_DDL = `CREATE TABLE snapshot_info (
  name         VARCHAR NOT NULL,   -- file name of the snapshot (jixiao-<utc>-<pid>-<rand>.duckdb)
  published_at TIMESTAMP NOT NULL, -- when the copy was taken (UTC)
  working_db   VARCHAR NOT NULL,   -- path of the working database it was copied from
  table_rows   VARCHAR NOT NULL    -- JSON object: table name → row count at publish time
)`;
export const SNAPSHOT_INFO_COMMENTS = [
  `COMMENT ON TABLE snapshot_info IS 'One row, only in published snapshots: which copy this is, when it was taken and the row count of every table at that moment.'`,
  `COMMENT ON COLUMN snapshot_info.name IS 'File name of the snapshot: jixiao-<UTC time>-<pid>-<random>.duckdb.'`,
  `COMMENT ON COLUMN snapshot_info.published_at IS 'When the copy was taken (UTC).'`,
  `COMMENT ON COLUMN snapshot_info.working_db IS 'Path of the working database the snapshot was copied from.'`,
  `COMMENT ON COLUMN snapshot_info.table_rows IS 'JSON object: table name → row count at publish time (a reader can check the copy is complete).'`,
];

/** The snapshot folder that belongs to a working database: `<its folder>/snapshots`. */
export function snapshotDir(workingDbPath = DEFAULT_DB): string {
  return join(dirname(workingDbPath), 'snapshots');
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

function fsyncPath(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function snapshotName(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('.', ''); // 20261121T190500123Z
  return `jixiao-${t}-${process.pid}-${randomBytes(3).toString('hex')}.duckdb`;
}

export interface PublishOptions {
  /** Keep this many published snapshots (default 3). */
  keep?: number;
  /** Snapshot folder (default: `snapshots/` beside the working database). */
  dir?: string;
  /**
   * An open read-write connection to the working database. Pass it when the caller still holds
   * the working database (DuckDB will not open the same file twice); otherwise the file is
   * attached read-only in a private in-memory instance.
   */
  conn?: DuckDBConnection;
}

export interface PublishResult {
  path: string;
  name: string;
  tableRows: Record<string, number>;
  pruned: string[];
  seconds: number;
}

/**
 * Publish a consistent read-only copy of the working database and make it the current snapshot.
 * Throws (leaving the previous snapshot current) if anything fails.
 */
export async function publishSnapshot(workingDbPath: string = DEFAULT_DB, opts: PublishOptions = {}): Promise<PublishResult> {
  const t0 = performance.now();
  const dir = resolve(opts.dir ?? snapshotDir(workingDbPath));
  mkdirSync(dir, { recursive: true });
  const name = snapshotName();
  const tmp = join(dir, `.${name}.tmp`);
  const final = join(dir, name);

  let own: DuckDBInstance | null = null;
  let conn = opts.conn;
  if (!conn) {
    if (!existsSync(workingDbPath)) throw new Error(`no working database at ${workingDbPath}: nothing to publish`);
    own = await DuckDBInstance.create(':memory:');
    conn = await own.connect();
  }
  const snap = `jixiao_snapshot_${randomBytes(4).toString('hex')}`;
  let tableRows: Record<string, number> = {};
  try {
    const home = (await rows<{ db: string }>(conn, 'SELECT current_database() AS db'))[0].db;
    let source: string;
    if (own) {
      source = 'jixiao_working';
      try {
        await conn.run(`ATTACH ${sqlString(resolve(workingDbPath))} AS ${source} (READ_ONLY)`);
      } catch (e) {
        const msg = (e as Error).message;
        if (/lock/i.test(msg)) throw new Error(`cannot publish ${workingDbPath}: another process is writing it (${msg.split('\n')[0]})`);
        throw e;
      }
    } else {
      source = home;
    }
    await conn.run(`ATTACH ${sqlString(tmp)} AS ${snap}`);
    try {
      await conn.run(`COPY FROM DATABASE ${ident(source)} TO ${snap}`);
      const tables = await rows<{ t: string }>(
        conn,
        `SELECT table_name AS t FROM duckdb_tables() WHERE database_name = $1 AND schema_name = 'main' ORDER BY 1`,
        [snap],
      );
      for (const { t } of tables) {
        const [{ n }] = await rows<{ n: number }>(conn, `SELECT count(*) AS n FROM ${snap}.main.${ident(t)}`);
        tableRows[t] = n;
      }
      await conn.run(`USE ${snap}`);
      try {
        await conn.run(`DROP TABLE IF EXISTS snapshot_info`);
        await conn.run(SNAPSHOT_INFO_DDL);
        for (const c of SNAPSHOT_INFO_COMMENTS) await conn.run(c);
        await conn.run(`INSERT INTO snapshot_info VALUES ($1, now()::TIMESTAMP, $2, $3)`, [name, resolve(workingDbPath), JSON.stringify(tableRows)]);
      } finally {
        await conn.run(`USE ${ident(home)}`);
      }
    } finally {
      await conn.run(`DETACH ${snap}`);
    }
    if (own) await conn.run(`DETACH ${source}`);
  } catch (e) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
    throw e;
  } finally {
    if (own) {
      conn.closeSync();
      own.closeSync();
    }
  }
  if (existsSync(`${tmp}.wal`)) throw new Error(`snapshot ${tmp} was left with a WAL file; refusing to publish it`);

  fsyncPath(tmp);
  renameSync(tmp, final);
  const link = join(dir, `.${CURRENT}-${randomBytes(4).toString('hex')}`);
  symlinkSync(name, link);
  renameSync(link, join(dir, CURRENT));
  fsyncPath(dir);

  const pruned = pruneSnapshots(dir, opts.keep ?? DEFAULT_KEEP);
  return { path: final, name, tableRows, pruned, seconds: (performance.now() - t0) / 1000 };
}

/** The snapshot file `current` points to in `dir`, or null when nothing has been published. */
export function currentSnapshot(dir: string): string | null {
  const ptr = join(dir, CURRENT);
  try {
    const st = lstatSync(ptr);
    const target = st.isSymbolicLink() ? readlinkSync(ptr) : null;
    if (!target) return null;
    const path = isAbsolute(target) ? target : join(dir, target);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export interface SnapshotEntry {
  name: string;
  path: string;
  bytes: number;
  modified: Date;
  current: boolean;
}

/** Published snapshots in `dir`, oldest first. */
export function listSnapshots(dir: string): SnapshotEntry[] {
  if (!existsSync(dir)) return [];
  const cur = currentSnapshot(dir);
  return readdirSync(dir)
    .filter((f) => SNAPSHOT_RE.test(f))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const st = statSync(path);
      return { name, path, bytes: st.size, modified: st.mtime, current: cur !== null && basename(cur) === name };
    });
}

/**
 * Delete all but the newest `keep` snapshots (the current one is always kept) and temporary files
 * of publishes that died more than an hour ago. Returns the names deleted.
 */
export function pruneSnapshots(dir: string, keep = DEFAULT_KEEP): string[] {
  const all = listSnapshots(dir);
  const doomed = all.slice(0, Math.max(0, all.length - Math.max(1, keep))).filter((s) => !s.current);
  for (const s of doomed) rmSync(s.path, { force: true });
  const hourAgo = Date.now() - 3600_000;
  for (const f of readdirSync(dir)) {
    if (!/^\.(jixiao-.*\.tmp(\.wal)?|current-[0-9a-f]+)$/.test(f)) continue;
    const p = join(dir, f);
    try {
      if (lstatSync(p).mtimeMs < hourAgo) rmSync(p, { force: true });
    } catch {
      /* raced with its owner */
    }
  }
  return doomed.map((s) => s.name);
}

export type ReadSource = 'snapshot' | 'working' | 'explicit';

/**
 * The database file analysts' commands open:
 * - `dbOption` given: that file, or, if it is a snapshot folder, the snapshot it points to;
 * - otherwise the current published snapshot beside the default working database,
 *   falling back to the working database itself when nothing has been published.
 */
export function resolveReadPath(dbOption?: string): string {
  return resolveRead(dbOption).path;
}

export function resolveRead(dbOption?: string): { path: string; source: ReadSource } {
  if (dbOption) {
    if (existsSync(dbOption) && statSync(dbOption).isDirectory()) {
      const cur = currentSnapshot(dbOption);
      if (!cur) throw new Error(`${dbOption} is a folder without a published snapshot (no ${CURRENT} pointer)`);
      return { path: cur, source: 'snapshot' };
    }
    return { path: dbOption, source: 'explicit' };
  }
  const cur = currentSnapshot(snapshotDir(DEFAULT_DB));
  return cur ? { path: cur, source: 'snapshot' } : { path: DEFAULT_DB, source: 'working' };
}

/**
 * Open the database `resolveRead(dbOption)` names, read-only. Retries when a snapshot vanished
 * between resolving and opening (pruned by two quick publishes) and turns DuckDB's lock and
 * missing-file errors into messages that say what to do.
 */
export async function openForReading(dbOption?: string): Promise<Warehouse & { source: ReadSource }> {
  for (let attempt = 0; ; attempt++) {
    const { path, source } = resolveRead(dbOption);
    if (!existsSync(path)) {
      if (source === 'snapshot' && attempt < 3) continue;
      throw new Error(`no warehouse at ${path}: run \`jixiao start\` (or \`jixiao ingest …\`) first, or pass --db`);
    }
    try {
      return Object.assign(await openWarehouse(path, { readOnly: true }), { source });
    } catch (e) {
      const msg = (e as Error).message;
      if (source === 'snapshot' && attempt < 3 && /no such file|cannot open|IO Error/i.test(msg)) continue;
      if (/lock/i.test(msg))
        throw new Error(
          `${path} is being written by another process (${msg.split('\n')[0]}). Read the published snapshot instead (publish one with \`jixiao snapshot publish\`), or wait for the run to finish.`,
        );
      throw e;
    }
  }
}
