/** Every CLI command, in the order `jixiao --help` lists them. Add one line per command module. */
import type { Command } from 'commander';
import { register as ingest } from './ingest.ts';
import { register as sql } from './sql.ts';
import { register as start } from './start.ts';
import { register as bench } from './bench.ts';
import { register as crawl } from './crawl.ts';
import { register as run } from './run.ts';
import { register as schedule } from './schedule.ts';
import { register as exportCmd } from './export.ts';
import { register as snapshot } from './snapshot.ts';
import { register as notebooks } from './notebooks.ts';
import { register as check } from './check.ts';
import { register as rules } from './rules.ts';
import { register as scorecard } from './scorecard.ts';
import { register as worker } from './worker.ts';

export const COMMANDS: ((program: Command) => void)[] = [start, ingest, sql, bench, exportCmd, snapshot, crawl, notebooks, check, rules, scorecard, run, schedule, worker];
