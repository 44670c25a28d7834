/**
 * What a run leaves to look at: the scorecards (`<out>/scorecards/index.html`, the code behind
 * `jixiao scorecard`) and the rendered notebooks (`<out>/notebooks/index.html`, the code behind
 * `jixiao notebooks`), both read from the run's published snapshot, and the three things to open
 * or type next. `jixiao start` calls it after the nightly job; it works on any warehouse that has
 * a published snapshot with a quality check run (the test builds one from the seed samples).
 */
import { join, relative, resolve } from 'node:path';
import { DEFAULT_DB } from '../warehouse/db.ts';
import { buildScorecards } from '../warehouse/scorecard/index.ts';
import { openForReading, snapshotDir } from '../warehouse/snapshot.ts';
import { runNotebooks } from './commands/notebooks.ts';

/** The query the closing lines suggest: findings per rule in the latest check run. */
export const SQL_EXAMPLE = 'SELECT rule_id, count(*) AS findings FROM findings_latest GROUP BY 1 ORDER BY 2 DESC LIMIT 10';

export interface RunResults {
  scorecardIndex: string;
  scorecards: number;
  notebookIndex: string;
  /** One notebook worth opening first (the overview). */
  notebook: string;
  /** Arguments after `jixiao` for the suggested query, e.g. ['sql', '--db', 'x/snapshots', 'SELECT …']. */
  sqlArgs: string[];
  /** The closing lines printed to the user. */
  lines: string[];
}

const shellQuote = (s: string) => (/^[\w./:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

/**
 * Write scorecards and notebooks from the snapshot published beside `db` into `<out>/scorecards`
 * and `<out>/notebooks`. Scorecards are HTML/JSON/Markdown (no PDF unless `pdf`: printing needs
 * Chromium and takes seconds per card; `jixiao scorecard` prints them).
 */
export async function writeRunResults(opts: { db: string; out: string; pdf?: boolean; log?: (l: string) => void }): Promise<RunResults> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const snapDir = snapshotDir(opts.db);
  const scOut = resolve(opts.out, 'scorecards');
  const nbOut = resolve(opts.out, 'notebooks');

  const wh = await openForReading(snapDir);
  let scorecards = 0;
  try {
    const res = await buildScorecards(wh.conn, { out: scOut, pdf: opts.pdf ?? false });
    scorecards = res.cards.length;
    log(`${res.cards.length} scorecards from check run ${res.runId} → ${shown(join(scOut, 'index.html'))}`);
  } finally {
    wh.close();
  }

  const reports = await runNotebooks([], { db: snapDir, out: nbOut });
  const overview = reports.find((r) => /overview/.test(r.out)) ?? reports[0];

  const dbArgs = resolve(opts.db) === resolve(DEFAULT_DB) ? [] : ['--db', shown(snapDir)];
  const sqlArgs = ['sql', ...dbArgs, SQL_EXAMPLE];
  const r: RunResults = {
    scorecardIndex: join(scOut, 'index.html'),
    scorecards,
    notebookIndex: join(nbOut, 'index.html'),
    notebook: overview ? resolve(overview.out) : join(nbOut, 'index.html'),
    sqlArgs,
    lines: [],
  };
  r.lines = [
    'Next:',
    `  open the scorecards   ${shown(r.scorecardIndex)}`,
    `  open a notebook       ${shown(r.notebook)}   (all: ${shown(r.notebookIndex)})`,
    `  query the snapshot    npx jixiao ${sqlArgs.map(shellQuote).join(' ')}`,
  ];
  return r;
}
