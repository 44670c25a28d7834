import type { Command } from 'commander';
import { DEFAULT_DB } from '../../warehouse/db.ts';
import { DEFAULT_KEEP, listSnapshots, pruneSnapshots, publishSnapshot, snapshotDir } from '../../warehouse/snapshot.ts';

export function register(program: Command) {
  const cmd = program
    .command('snapshot')
    .description('publish, list and prune the read-only snapshots that jixiao sql, export and notebooks read')
    .addHelpText('after', `\nExample:\n  jixiao snapshot publish --db ${DEFAULT_DB} --keep 3\n  jixiao snapshot list`);

  cmd
    .command('publish')
    .description('copy the working database into a new snapshot file and make it current (atomic rename)')
    .option('--db <file>', 'working DuckDB file', DEFAULT_DB)
    .option('--keep <n>', 'snapshots to keep', String(DEFAULT_KEEP))
    .addHelpText('after', `\nExample:\n  jixiao snapshot publish --db ${DEFAULT_DB}`)
    .action(async (opts: { db: string; keep: string }) => {
      const r = await publishSnapshot(opts.db, { keep: Number(opts.keep) });
      const total = Object.entries(r.tableRows).reduce((a, [, n]) => a + n, 0);
      console.log(`published ${r.path} (${Object.keys(r.tableRows).length} tables, ${total} rows) in ${r.seconds.toFixed(2)} s`);
      if (r.pruned.length) console.log(`pruned ${r.pruned.join(', ')}`);
    });

  cmd
    .command('list')
    .description('list published snapshots, oldest first; * marks the current one')
    .option('--db <file>', 'working DuckDB file (snapshots live in snapshots/ beside it)', DEFAULT_DB)
    .addHelpText('after', '\nExample:\n  jixiao snapshot list')
    .action((opts: { db: string }) => {
      const dir = snapshotDir(opts.db);
      const all = listSnapshots(dir);
      if (!all.length) console.log(`no snapshots in ${dir}`);
      for (const s of all) console.log(`${s.current ? '*' : ' '} ${s.name}  ${(s.bytes / 1048576).toFixed(1)} MB  ${s.modified.toISOString()}`);
    });

  cmd
    .command('prune')
    .description('delete all but the newest N snapshots (never the current one)')
    .option('--db <file>', 'working DuckDB file', DEFAULT_DB)
    .option('--keep <n>', 'snapshots to keep', String(DEFAULT_KEEP))
    .addHelpText('after', '\nExample:\n  jixiao snapshot prune --keep 2')
    .action((opts: { db: string; keep: string }) => {
      const gone = pruneSnapshots(snapshotDir(opts.db), Number(opts.keep));
      console.log(gone.length ? `deleted ${gone.join(', ')}` : 'nothing to delete');
    });
}
