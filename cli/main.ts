/**
 * The `jixiao` command line. Each command lives in cli/commands/<name>.ts and registers itself
 * through the list in cli/commands/index.ts.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';

const program = new Command('jixiao')
  .description('Crawl, extract, normalize and audit Chinese budget performance-target disclosures (部门预算 / 项目支出绩效目标表).')
  .showHelpAfterError()
  .addHelpText('after', '\nRun `jixiao <command> --help` for the options and an example of each command.');

for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`jixiao: ${(e as Error)?.message ?? e}`);
  process.exitCode = 2;
});
