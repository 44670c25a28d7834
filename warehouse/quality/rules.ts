/**
 * The rule catalog: one YAML file per rule in warehouse/rules/, each holding the rule's metadata,
 * the SQL that finds its hits, and a fixture (rows that must fire and near misses that must not).
 *
 * A rule's SQL is a SELECT over the warehouse tables (and the derived tables runChecks builds
 * first: document_departments, clone_members, yoy_projects, …) returning
 *   doc_id, project_seq, indicator_seq, message, evidence [, page, table_no, row_no]
 * where evidence is a JSON value (json_object(…)) with the offending cell values.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { rows } from '../db.ts';

export const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules');

export const CATEGORIES = ['placeholder', 'measurability', 'clone', 'yoy', 'structure', 'consistency', 'plausibility', 'basis', 'completeness'] as const;
export const SEVERITIES = ['error', 'warning', 'info'] as const;
/** Review criteria of 财预〔2015〕88号 plus disclosure completeness: the scorecard dimensions. */
export const CRITERIA = ['完整性', '相关性', '适当性', '可行性', '公开完整性'] as const;
export const ENTITIES = ['indicator', 'project', 'document', 'department'] as const;

const FixtureSchema = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));
const KeySchema = z.tuple([z.string(), z.number().nullable(), z.number().nullable()]);

export const RuleSchema = z.object({
  id: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  criterion: z.enum(CRITERIA),
  entity: z.enum(ENTITIES),
  title_zh: z.string().min(2),
  title_en: z.string().min(2),
  rationale: z.string().min(10),
  /** The rationale in Chinese, as printed on the scorecards. */
  rationale_zh: z.string().min(10),
  reference: z.string().min(3),
  heuristic: z.boolean(),
  sql: z.string().min(10),
  /** Rows inserted into an empty warehouse for the rule's test (table → rows). */
  fixture: FixtureSchema,
  /** [doc_id, project_seq, indicator_seq] of every hit the fixture must produce (and nothing else). */
  expect: z.array(KeySchema).min(1),
  /**
   * What a finding of a document depends on, for incremental checks: `document` (only rows of the
   * same document) or `warehouse` (rows of other documents too). Default: detected from the SQL —
   * `warehouse` when it reads a table that links documents (document_departments, departments,
   * clone_members, clone_clusters). A rule that joins another document's rows through the core
   * tables must say `scope: warehouse`.
   */
  scope: z.enum(['document', 'warehouse']).optional(),
});
export type Rule = z.infer<typeof RuleSchema> & { file: string };

export function loadRules(dir = RULES_DIR): Rule[] {
  const out: Rule[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = join(dir, f);
    const parsed = RuleSchema.safeParse(parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`rule ${f}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.id !== f.replace(/\.yaml$/, '')) throw new Error(`rule ${f}: id ${parsed.data.id} must equal the file name`);
    if (parsed.data.heuristic && !/heuristic/i.test(parsed.data.reference + parsed.data.rationale))
      throw new Error(`rule ${f}: a heuristic rule must say so in its rationale or reference`);
    if (parsed.data.heuristic && !parsed.data.rationale_zh.includes('经验规则'))
      throw new Error(`rule ${f}: a heuristic rule must say 经验规则 in rationale_zh`);
    out.push({ ...parsed.data, file: `warehouse/rules/${f}` });
  }
  const ids = new Set<string>();
  for (const r of out) {
    if (ids.has(r.id)) throw new Error(`duplicate rule id ${r.id}`);
    ids.add(r.id);
  }
  return out;
}

/** Store the catalog in the `rules` table (replacing it). */
export async function storeRules(conn: DuckDBConnection, rules: Rule[]) {
  await conn.run('DELETE FROM rules');
  for (const r of rules)
    await conn.run(
      `INSERT INTO rules (rule_id, category, severity, criterion, entity, title_zh, title_en, rationale, reference, heuristic, sql, file, rationale_zh)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [r.id, r.category, r.severity, r.criterion, r.entity, r.title_zh, r.title_en, r.rationale.trim(), r.reference, r.heuristic, r.sql.trim(), r.file, r.rationale_zh.trim()],
    );
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Tables whose rows link documents to each other (a rule reading one depends on other documents). */
const LINKING_TABLES = /\b(document_departments|departments|clone_members|clone_clusters)\b/i;
/** Tables holding rows of one document each: an incremental check shadows them with the scope's rows. */
export const DOCUMENT_TABLES = ['documents', 'doc_tables', 'projects', 'goals', 'indicators', 'budget_lines', 'duties', 'duty_indicators', 'yoy_projects', 'yoy_indicators'];

/** Tables of the clone index's clusters: a rule reading one depends on cluster changes (incremental checks). */
const CLONE_TABLES = /\b(clone_members|clone_clusters)\b/i;

/** True when a rule reads the clone clusters: its findings for a document can change when another document joins or leaves a cluster. */
export function readsClones(rule: Pick<Rule, 'sql'>): boolean {
  return CLONE_TABLES.test(rule.sql);
}

/** `document` when a rule's findings for a document depend only on that document's rows. */
export function ruleScope(rule: Pick<Rule, 'sql' | 'scope'>): 'document' | 'warehouse' {
  return rule.scope ?? (LINKING_TABLES.test(rule.sql) ? 'warehouse' : 'document');
}

/** The INSERT that runs one rule into `target` (default current_findings; only for the documents of `scopeTable` when given). */
export function ruleInsertSql(rule: Rule, runId: string, scopeTable?: string, target = 'current_findings'): string {
  const body = rule.sql.trim().replace(/;\s*$/, '');
  return `INSERT INTO ${target} (run_id, rule_id, category, severity, doc_id, project_seq, indicator_seq, message, evidence, page, table_no, row_no)
SELECT ${sqlString(runId)}, ${sqlString(rule.id)}, ${sqlString(rule.category)}, ${sqlString(rule.severity)},
       r.doc_id, CAST(r.project_seq AS INTEGER), CAST(r.indicator_seq AS INTEGER), CAST(r.message AS VARCHAR), CAST(r.evidence AS VARCHAR),
       CAST(r.page AS INTEGER), CAST(r.table_no AS INTEGER), CAST(r.row_no AS INTEGER)
FROM (${body}\n) r${scopeTable ? `\nWHERE r.doc_id IN (SELECT doc_id FROM ${scopeTable})` : ''}`;
}

export interface RuleResult {
  rule_id: string;
  status: 'pass' | 'fail' | 'error';
  findings: number;
  seconds: number;
  error: string | null;
}

/**
 * Run each rule into `current_findings` under runId; a rule that fails is recorded and never stops
 * the others. Without a scope the rules' previous findings are replaced everywhere.
 *
 * With `scope` (a temp table of doc_id) only those documents are checked and the rows go to
 * `into` (a table with the columns of current_findings; the caller merges them, incremental.ts):
 * document rules read temp tables holding only the scope's rows (they shadow the warehouse tables
 * of the same name), warehouse rules read everything and keep the scope's findings, and rules
 * reading the clone clusters (readsClones) keep those of `cloneScope` (default: scope).
 */
export async function runRules(
  conn: DuckDBConnection,
  rules: Rule[],
  runId: string,
  opts: { scope?: string; cloneScope?: string; into?: string } = {},
): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  await conn.run('DELETE FROM rule_results WHERE run_id = $1', [runId]);
  if (!opts.scope) await conn.run(`DELETE FROM current_findings WHERE rule_id IN (${rules.map((r) => sqlString(r.id)).join(', ') || "''"})`);
  const into = opts.scope ? (opts.into ?? 'current_findings') : 'current_findings';
  const runOne = async (rule: Rule, scope = opts.scope) => {
    const t0 = performance.now();
    let res: RuleResult;
    try {
      const r = await conn.run(ruleInsertSql(rule, runId, scope, into));
      const n = Number(r.rowsChanged);
      res = { rule_id: rule.id, status: n ? 'fail' : 'pass', findings: n, seconds: (performance.now() - t0) / 1000, error: null };
    } catch (e) {
      res = { rule_id: rule.id, status: 'error', findings: 0, seconds: (performance.now() - t0) / 1000, error: (e as Error).message };
    }
    results.push(res);
  };
  if (opts.scope) {
    const [{ db }] = await rows<{ db: string }>(conn, 'SELECT current_database() AS db');
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    try {
      for (const t of DOCUMENT_TABLES)
        await conn.run(`CREATE OR REPLACE TEMP TABLE ${t} AS SELECT * FROM ${q(db)}.main.${t} WHERE doc_id IN (SELECT doc_id FROM ${opts.scope})`);
      for (const rule of rules.filter((r) => ruleScope(r) === 'document')) await runOne(rule);
    } finally {
      for (const t of DOCUMENT_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${t}`);
    }
    for (const rule of rules.filter((r) => ruleScope(r) === 'warehouse')) await runOne(rule, readsClones(rule) ? (opts.cloneScope ?? opts.scope) : opts.scope);
  } else for (const rule of rules) await runOne(rule);
  const order = new Map(rules.map((r, i) => [r.id, i]));
  results.sort((a, b) => order.get(a.rule_id)! - order.get(b.rule_id)!);
  for (const res of results) await conn.run('INSERT INTO rule_results VALUES ($1,$2,$3,$4,$5,$6)', [runId, res.rule_id, res.status, res.findings, res.seconds, res.error]);
  return results;
}

/** Column defaults for fixture rows so a rule file only spells out the columns it is about. */
const FIXTURE_DEFAULTS: Record<string, Record<string, unknown>> = {
  documents: { status: 'ok', format: 'text', region: '测试区', year: 2024, kind: '预算' },
  projects: { scope: 'project', plan_unit: 'unknown' },
  indicators: { value_kind: 'text' },
  goals: { text: '' },
  budget_lines: { column_name: '合计' },
  doc_tables: { kind: 'project_indicators' },
};

/** Insert a rule fixture (table → rows); a documents row is added for every doc_id not listed. */
export async function insertFixture(conn: DuckDBConnection, fixture: Record<string, Record<string, unknown>[]>) {
  const docIds = new Set<string>();
  for (const rs of Object.values(fixture)) for (const r of rs) if (typeof r.doc_id === 'string') docIds.add(r.doc_id);
  const docs = [...(fixture.documents ?? [])];
  for (const id of docIds) if (!docs.some((d) => d.doc_id === id)) docs.push({ doc_id: id });
  const all: Record<string, Record<string, unknown>[]> = { ...fixture, documents: docs };
  for (const [tableName, rs] of Object.entries(all)) {
    for (const r of rs) {
      const row = { ...(FIXTURE_DEFAULTS[tableName] ?? {}), ...r };
      const cols = Object.keys(row);
      const vals = cols.map((c) => {
        const v = row[c];
        return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
      });
      await conn.run(`INSERT INTO ${tableName} (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, vals);
    }
  }
}

/** The keys [doc_id, project_seq, indicator_seq] a rule finds on the current warehouse (for tests). */
export async function ruleHits(conn: DuckDBConnection, rule: Rule): Promise<[string, number | null, number | null][]> {
  const rs = await rows<{ doc_id: string; project_seq: number | null; indicator_seq: number | null }>(
    conn,
    `SELECT DISTINCT doc_id, CAST(project_seq AS INTEGER) AS project_seq, CAST(indicator_seq AS INTEGER) AS indicator_seq FROM (${rule.sql.trim().replace(/;\s*$/, '')}\n) ORDER BY ALL`,
  );
  return rs.map((r) => [r.doc_id, r.project_seq, r.indicator_seq]);
}
