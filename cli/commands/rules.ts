import type { Command } from 'commander';
import { loadRules } from '../../warehouse/quality/rules.ts';
import { formatTable } from './sql.ts';

export function listRules(opts: { category?: string; format?: string; id?: string }) {
  let rules = loadRules();
  if (opts.category) rules = rules.filter((r) => r.category === opts.category);
  if (opts.id) rules = rules.filter((r) => r.id === opts.id);
  if (opts.format === 'json') {
    console.log(JSON.stringify(rules.map(({ fixture: _f, expect: _e, ...r }) => r), null, 2));
    return;
  }
  if (opts.format === 'md' || opts.id) {
    for (const r of rules) {
      console.log(`### ${r.id} — ${r.title_zh}\n`);
      console.log(`*${r.title_en}* · ${r.category} · ${r.severity} · ${r.criterion}${r.heuristic ? ' · heuristic' : ''}\n`);
      console.log(`${r.rationale_zh.trim()}\n\n${r.rationale.trim()}\n\nReference: ${r.reference}\n`);
      if (opts.id) console.log('```sql\n' + r.sql.trim() + '\n```\n');
    }
    return;
  }
  console.log(
    formatTable(
      ['id', 'category', 'severity', 'criterion', 'title', 'reference'],
      rules.map((r) => [r.id, r.category, r.severity, r.criterion, r.title_zh, r.reference]),
      44,
    ),
  );
  console.log('\nRationale of each: jixiao rules --format md   ·   SQL of one: jixiao rules --id <id>');
}

export function register(program: Command) {
  program
    .command('rules')
    .description('list the indicator quality rules with their severity, criterion, rationale and reference')
    .option('--category <name>', 'only one family: placeholder | measurability | clone | yoy | structure | consistency | plausibility | basis | completeness')
    .option('--id <id>', 'one rule in full, with its SQL')
    .option('--format <fmt>', 'table | md | json', 'table')
    .addHelpText('after', '\nExample:\n  jixiao rules --category placeholder --format md')
    .action((opts) => listRules(opts));
}
