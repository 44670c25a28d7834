/**
 * Every rule of the catalog against its own fixture: the rows that must fire do, the near misses
 * next to them do not. Also checks the catalog itself (≥ 25 rules, every family covered, metadata).
 */
import { describe, expect, it } from 'vitest';
import { openWarehouse } from '../warehouse/db.ts';
import { buildDerived } from '../warehouse/quality/index.ts';
import { CATEGORIES, insertFixture, loadRules, ruleHits, type Rule } from '../warehouse/quality/rules.ts';

const rules = loadRules();

/** Entities of a fixture at the rule's level (to prove the fixture holds near misses too). */
function candidates(rule: Rule): Set<string> {
  const out = new Set<string>();
  for (const [table, rs] of Object.entries(rule.fixture)) {
    for (const r of rs) {
      if (rule.entity === 'indicator' && table === 'indicators') out.add(`${r.doc_id}:${r.project_seq}:${r.indicator_seq}`);
      else if (rule.entity === 'project' && r.project_seq != null) out.add(`${r.doc_id}:${r.project_seq}`);
      else if (rule.entity === 'document' || rule.entity === 'department') out.add(String(r.doc_id));
    }
  }
  return out;
}

const needsDerived = (r: Rule) => /clone_members|clone_clusters|yoy_|document_departments/.test(r.sql);

describe('rule catalog', () => {
  it('has at least 25 rules covering every family, each with rationale and reference', () => {
    expect(rules.length).toBeGreaterThanOrEqual(25);
    const cats = new Set(rules.map((r) => r.category));
    for (const c of CATEGORIES) expect(cats, `family ${c}`).toContain(c);
    for (const r of rules) {
      expect(r.rationale.length).toBeGreaterThan(40);
      expect(r.reference).toMatch(/财预〔20(15|20|21)〕(88|10|101)号|heuristic/);
      if (r.heuristic) expect(r.reference + r.rationale).toMatch(/heuristic/i);
    }
  });
});

describe.each(rules.map((r) => [r.id, r] as const))('rule %s', (_id, rule) => {
  it('fires on its fixture rows and not on the near misses', async () => {
    const wh = await openWarehouse(':memory:');
    try {
      await insertFixture(wh.conn, rule.fixture);
      if (needsDerived(rule)) await buildDerived(wh.conn);
      const key = (k: (string | number | null)[]) => k.map((x) => (x === null ? 'null' : String(x))).join(':');
      const hits = (await ruleHits(wh.conn, rule)).map(key).sort();
      expect(hits).toEqual(rule.expect.map(key).sort());
      const cands = candidates(rule);
      const hitEntities = new Set(rule.expect.map((k) => k.filter((x) => x !== null).join(':')));
      const misses = [...cands].filter((c) => !hitEntities.has(c));
      expect(misses.length, 'fixture needs at least one near miss').toBeGreaterThan(0);
    } finally {
      wh.close();
    }
  });
});
