/**
 * The notebooks render from the default run's warehouse (`jixiao start`, then `jixiao notebooks`
 * reading the published snapshot) into self-contained HTML with SVG charts and the warehouse's
 * real numbers; a cell that needs a missing table is reported, not fatal.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { listNotebooks, missingTable, parseInfo, renderNotebook } from '../notebooks/render.ts';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { openForReading } from '../warehouse/snapshot.ts';
import { ROOT } from './helpers/paths.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'jixiao-notebooks-'));
const html = new Map<string, string>();
let log = '';

beforeAll(async () => {
  // The default run, everything at its default paths (data/jixiao.duckdb, data/snapshots/current) under a scratch folder.
  await run(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), 'start'], { cwd: dir, maxBuffer: 64 << 20 });
  ({ stdout: log } = await run(process.execPath, [join(ROOT, 'bin/jixiao.mjs'), 'notebooks', '--strict'], { cwd: dir }));
  for (const f of listNotebooks()) html.set(basename(f, '.md'), readFileSync(join(dir, 'out', 'notebooks', `${basename(f, '.md')}.html`), 'utf8'));
}, 300_000);

describe('notebooks from the default run', () => {
  it('renders every notebook, every cell, from the published snapshot', () => {
    expect(listNotebooks().length).toBeGreaterThanOrEqual(5);
    expect(log).toMatch(/notebooks from snapshot jixiao-\d{8}T\d{9}Z-/);
    for (const name of html.keys()) expect(log).toMatch(new RegExp(`^${name} +(\\d+)/\\1 cells`, 'm'));
    expect(log).not.toMatch(/not rendered/);
  });

  it('is self-contained: inline SVG charts, no script, no external resources', () => {
    for (const [name, page] of html) {
      expect(page.match(/<svg/g)?.length ?? 0, name).toBeGreaterThan(0);
      expect(page, name).not.toMatch(/<script/i);
      expect(page, name).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
      expect(page, name).not.toMatch(/<link /i);
      expect(page, name).not.toContain('{{');
    }
    expect(readFileSync(join(dir, 'out', 'notebooks', 'index.html'), 'utf8')).toContain('01_placeholders.html');
  });

  it('shows the numbers of the warehouse it read', async () => {
    const wh = await openForReading(join(dir, 'data', 'snapshots'));
    try {
      const [n] = await rows<Record<string, number>>(
        wh.conn,
        `SELECT (SELECT count(*) FROM documents) AS documents,
                (SELECT count(*) FROM indicators) AS indicators,
                (SELECT count(*) FROM indicators WHERE value_kind = 'placeholder') AS placeholders,
                (SELECT count(*) FROM projects WHERE scope = 'project' AND plan_unit NOT IN ('percent', 'empty')) AS plans_not_percent,
                (SELECT count(*) FROM indicators WHERE level1 LIKE '%成本%' OR level2 LIKE '%成本%') AS cost_indicators,
                (SELECT count(*) FROM clone_clusters) AS clusters`,
      );
      expect(n.placeholders).toBeGreaterThan(0);
      expect(html.get('00_overview')).toContain(`The warehouse holds <strong>${n.documents}</strong> documents`);
      expect(html.get('01_placeholders')).toContain(`Of <strong>${n.indicators}</strong> indicators in this warehouse, <strong>${n.placeholders}</strong>`);
      expect(html.get('04_spending_plans')).toMatch(new RegExp(`<strong>${n.plans_not_percent}</strong> print their plan in something other`));
      expect(html.get('05_costs')).toContain(`Of <strong>${n.cost_indicators}</strong> cost indicators`);
      // the quality checks ran in the default run: their clusters appear as table rows
      expect(n.clusters).toBeGreaterThan(0);
      const clusterTable = html.get('02_clones')!.split('SQL <code>qc_clusters</code>')[1].split('</table>')[0];
      expect(clusterTable.match(/<tr>/g)!.length - 1).toBe(Math.min(30, n.clusters));
    } finally {
      wh.close();
    }
  });
});

describe('renderer', () => {
  it('parses cell options and recognises missing tables', () => {
    expect(parseInfo('sql name=by_year show=5')).toEqual({ lang: 'sql', opts: { name: 'by_year', show: '5' } });
    expect(missingTable('Catalog Error: Table with name clone_clusters does not exist!\nDid you mean …')).toBe('clone_clusters');
    expect(missingTable('Parser Error: syntax error at or near "SELEC"')).toBeNull();
  });

  it('reports a cell whose table is missing, skips its chart, and still renders the rest', async () => {
    const nb = join(dir, 'probe.md');
    writeFileSync(
      nb,
      '# Probe\n\n```sql name=gone\nSELECT * FROM no_such_table\n```\n\n```vega-lite\n{"mark": "bar"}\n```\n\n```sql name=ok\nSELECT 42 AS answer, \'承德\' AS region\n```\n\nAnswer: {{ok.answer}}.\n\n```vega-lite data=ok\n{"mark": "bar", "encoding": {"x": {"field": "region", "type": "nominal"}, "y": {"field": "answer", "type": "quantitative"}}}\n```\n',
    );
    const wh = await openWarehouse(':memory:');
    try {
      const rep = await renderNotebook(wh.conn, nb, { outDir: join(dir, 'probe') });
      expect(rep.cells.map((c) => [c.name, c.ok, c.problem ?? null])).toEqual([
        ['gone', false, 'missing-table'],
        ['chart:gone', false, 'no-data'],
        ['ok', true, null],
        ['chart:ok', true, null],
      ]);
      const page = readFileSync(rep.out, 'utf8');
      expect(page).toContain('This cell needs <code>no_such_table</code>');
      expect(page).toContain('Answer: <strong>42</strong>.');
      expect(page).toMatch(/<svg[\s\S]*承德[\s\S]*<\/svg>/);
    } finally {
      wh.close();
    }
  });
});
