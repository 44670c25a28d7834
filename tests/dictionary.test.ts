/** docs/warehouse.md is generated from the live schema and must match it. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openWarehouse, rows } from '../warehouse/db.ts';
import { DICTIONARY_PATH, generateDictionary } from '../warehouse/dictionary.ts';

describe('data dictionary', () => {
  it('docs/warehouse.md is what the migrations produce (run `npm run dictionary` after changing the schema)', async () => {
    const fresh = await generateDictionary();
    expect(readFileSync(DICTIONARY_PATH, 'utf8') === fresh, 'docs/warehouse.md is stale: run `npm run dictionary`').toBe(true);
  });

  it('lists every table, view and column of the schema, with the core tables described', async () => {
    const md = await generateDictionary();
    const wh = await openWarehouse(':memory:');
    try {
      const cols = await rows<{ t: string; c: string; comment: string | null }>(
        wh.conn,
        `SELECT table_name AS t, column_name AS c, comment FROM duckdb_columns() WHERE schema_name = 'main' AND database_name = current_database()`,
      );
      for (const { t, c } of cols) {
        const section = md.slice(md.indexOf(`\n### ${t}\n`), md.indexOf('\n### ', md.indexOf(`\n### ${t}\n`) + 5));
        expect(section, `${t}.${c}`).toContain(`| \`${c}\` |`);
      }
      // every column of the core tables of 001_core has a description (030_comments.sql)
      const core = ['documents', 'doc_tables', 'projects', 'goals', 'indicators', 'budget_lines', 'duties', 'duty_indicators'];
      expect(cols.filter((r) => core.includes(r.t) && !r.comment).map((r) => `${r.t}.${r.c}`)).toEqual([]);
      expect(md).toMatch(/^\| `value_raw` \| VARCHAR \| yes \| Target value \(指标值\) as printed/m);
      expect(md).toContain('### snapshot_info');
    } finally {
      wh.close();
    }
  });

  it('shows tables without comments too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-dict-'));
    copyFileSync(join(MIGRATIONS_DIR, '001_core.sql'), join(dir, '001_core.sql'));
    writeFileSync(join(dir, '002_extra.sql'), 'CREATE TABLE uncommented (a INTEGER NOT NULL, b VARCHAR);');
    const md = await generateDictionary(dir);
    expect(md).toContain('Generated from the schema after migrations 001_core, 002_extra.');
    expect(md).toMatch(/### uncommented\n\n_No description \(no `COMMENT ON` for this table\)\._\n\n\| column \| type \| null \| description \|\n\|---\|---\|---\|---\|\n\| `a` \| INTEGER \| no \|  \|\n\| `b` \| VARCHAR \| yes \|  \|/);
  });
});
