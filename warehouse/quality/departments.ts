/**
 * Department identity across renames and years → `departments` and `document_departments`.
 *
 * 1. config/departments.yaml overrides: documents matching an entry's region and one of its names or
 *    codes belong to that entry's department (method "config").
 * 2. Documents with the same region and the same department name (region prefix removed,
 *    punctuation-insensitive) form one department (method "name"); the same region and the same
 *    department code links names too (method "code").
 * 3. Renames: two departments of one region whose years do not overlap are linked when their names
 *    are near-identical, or when enough of their projects match by name (method "rename"; evidence
 *    lists the shared projects). Candidates are found through an inverted index of project-name
 *    bigrams, so the work grows with the number of shared bigrams, not with all pairs.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { rows } from '../db.ts';
import { appendRows } from '../load.ts';

export const DEPARTMENTS_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'departments.yaml');

const OverrideSchema = z.object({
  id: z.string().min(1),
  region: z.string().nullish(),
  names: z.array(z.string()).default([]),
  codes: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
});
const ConfigSchema = z.object({ departments: z.array(OverrideSchema).nullish() });
export type DepartmentOverride = z.infer<typeof OverrideSchema>;

export function loadDepartmentOverrides(path = DEPARTMENTS_CONFIG): DepartmentOverride[] {
  if (!existsSync(path)) return [];
  const parsed = ConfigSchema.safeParse(parse(readFileSync(path, 'utf8')) ?? {});
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.departments ?? [];
}

/** Same normalization as the SQL macro jx_norm: no whitespace or punctuation, ASCII digits, lower case. */
export function norm(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFKC')
    .replace(/[\s\u3000\u00a0,，。、;；:：()（）[\]【】〔〕<>《》"“”'‘’·!！?？…_\-—]+/g, '')
    .toLowerCase();
}

/** Region name folded so that common long and short forms compare equal. */
export function normRegion(s: string | null | undefined): string {
  return norm(s)
    .replace(/高新技术产业开发区/g, '高新区')
    .replace(/经济技术开发区/g, '经开区')
    .replace(/经济开发区/g, '经开区');
}

/** The department's own name: the region prefix removed (西安市财政局 → 财政局). */
export function coreName(department: string | null, region: string | null): string {
  let n = norm(department);
  const r = norm(region);
  if (r && n.startsWith(r) && n.length > r.length + 1) n = n.slice(r.length);
  // Further administrative prefixes (…市 …区 …县) when the region was not stated or is shorter.
  for (let i = 0; i < 3; i++) {
    const m = /^(.{2,10}?(?:自治区|自治州|开发区|新区|高新区|省|市|州|盟|县|旗|区))(.{2,})$/.exec(n);
    if (!m || /^(场|政府|容|域|级)/.test(m[2])) break;
    n = m[2];
  }
  // Qualifiers printed after the name: （汇总） (consolidated), （本级） (own unit only), 部门.
  return n.replace(/(部门汇总|单位汇总|汇总|本级|机关)+$/, '') || n;
}

/** Dice coefficient over character bigrams (1 for identical strings). */
export function bigramSimilarity(a: string, b: string): number {
  if (a === b) return a ? 1 : 0;
  const grams = (s: string) => {
    const out = new Map<string, number>();
    const cs = [...s];
    if (cs.length === 1) out.set(s, 1);
    for (let i = 0; i + 1 < cs.length; i++) out.set(cs[i] + cs[i + 1], (out.get(cs[i] + cs[i + 1]) ?? 0) + 1);
    return out;
  };
  const ga = grams(a);
  const gb = grams(b);
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (const v of ga.values()) na += v;
  for (const v of gb.values()) nb += v;
  for (const [k, v] of ga) inter += Math.min(v, gb.get(k) ?? 0);
  return na + nb ? (2 * inter) / (na + nb) : 0;
}

/** True when two of these year sets have no year in common (an empty set has none with any). */
export function mayRename(yearSets: Set<number>[]): boolean {
  if (yearSets.length < 2) return false;
  if (yearSets.some((ys) => ys.size === 0)) return true;
  const distinct = [...new Map(yearSets.map((ys) => [[...ys].sort((a, b) => a - b).join(','), ys])).values()];
  for (let i = 0; i < distinct.length; i++) for (let j = i + 1; j < distinct.length; j++) if (![...distinct[i]].some((y) => distinct[j].has(y))) return true;
  return false;
}

interface DocInfo {
  doc_id: string;
  region: string | null;
  department: string | null;
  dept_code: string | null;
  year: number | null;
  source: string | null;
}

class UnionFind {
  parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) return x;
    p = this.find(p);
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb < ra ? ra : rb, rb < ra ? rb : ra);
  }
}

export interface DepartmentOptions {
  overrides?: DepartmentOverride[];
  /** Name similarity (bigram Dice) above which two departments of one region are the same. */
  nameThreshold?: number;
  /** Share of the smaller department's projects that must match by name to link a rename. */
  projectOverlap?: number;
  /** At least this many matching projects to link a rename on project overlap alone. */
  minSharedProjects?: number;
  /** Bigram similarity above which two project names count as the same project. */
  projectNameThreshold?: number;
}

export interface DepartmentLink {
  doc_id: string;
  dept_id: string;
  year: number | null;
  method: string;
  confidence: number;
  evidence: Record<string, unknown>;
}

/** Resolve department identity and rewrite `departments` and `document_departments`. */
export async function resolveDepartments(conn: DuckDBConnection, opts: DepartmentOptions = {}): Promise<{ departments: number; renames: number }> {
  const overrides = opts.overrides ?? loadDepartmentOverrides();
  const nameThreshold = opts.nameThreshold ?? 0.8;
  const overlapThreshold = opts.projectOverlap ?? 0.25;
  const minShared = opts.minSharedProjects ?? 3;
  const projThreshold = opts.projectNameThreshold ?? 0.6;

  const docs = await rows<DocInfo>(conn, `SELECT doc_id, region, department, dept_code, year, source FROM documents ORDER BY year NULLS LAST, doc_id`);

  // Step 1 and 2: initial groups.
  const uf = new UnionFind();
  const method = new Map<string, string>();
  const groupKey = (d: DocInfo): string => {
    for (const o of overrides) {
      if (o.region && normRegion(o.region) !== normRegion(d.region)) continue;
      const names = o.names.map((n) => coreName(n, o.region ?? d.region));
      if (names.includes(coreName(d.department, d.region)) || (d.dept_code && o.codes.includes(d.dept_code))) {
        method.set(d.doc_id, 'config');
        return `config:${o.id}`;
      }
    }
    if (!norm(d.department)) {
      method.set(d.doc_id, 'singleton');
      return `doc:${d.doc_id}`;
    }
    method.set(d.doc_id, 'name');
    return `name:${normRegion(d.region)}|${coreName(d.department, d.region)}`;
  };
  const keyOf = new Map<string, string>();
  for (const d of docs) {
    const k = groupKey(d);
    keyOf.set(d.doc_id, k);
    uf.union(k, k);
  }
  const byCode = new Map<string, string>();
  for (const d of docs) {
    const k = keyOf.get(d.doc_id)!;
    if (!d.dept_code || k.startsWith('doc:')) continue;
    const ck = `${normRegion(d.region)}|${norm(d.dept_code)}`;
    const other = byCode.get(ck);
    if (other && uf.find(other) !== uf.find(k)) {
      uf.union(other, k);
      method.set(d.doc_id, 'code');
    } else byCode.set(ck, k);
  }

  // Step 3: renames within a region, candidate pairs from shared project-name bigrams and names.
  type Group = { key: string; region: string; names: Set<string>; years: Set<number>; projects: string[]; docs: DocInfo[] };
  const groups = new Map<string, Group>();
  const group = (d: DocInfo) => {
    const root = uf.find(keyOf.get(d.doc_id)!);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { key: root, region: normRegion(d.region), names: new Set(), years: new Set(), projects: [], docs: [] }));
    return g;
  };
  for (const d of docs) {
    const g = group(d);
    g.docs.push(d);
    if (d.department) g.names.add(coreName(d.department, d.region));
    if (d.year != null) g.years.add(d.year);
  }
  const linkEvidence = new Map<string, Record<string, unknown>>();
  const candidates: { a: Group; b: Group; score: number; evidence: Record<string, unknown> }[] = [];
  const byRegion = new Map<string, Group[]>();
  for (const g of groups.values()) {
    if (g.key.startsWith('doc:') || !g.region) continue;
    let l = byRegion.get(g.region);
    if (!l) byRegion.set(g.region, (l = []));
    l.push(g);
  }
  // Project names are read only for the regions where a rename is possible at all: two of their
  // departments without a year in common (a department has one budget a year). Elsewhere nothing
  // can be linked, and a warehouse of ten million indicators need not send its million project
  // names through JavaScript.
  const renameRegions = [...byRegion].filter(([, gs]) => mayRename(gs.map((g) => g.years)));
  if (renameRegions.length) {
    const rawRegions = new Set<string>();
    for (const [, gs] of renameRegions) for (const g of gs) for (const d of g.docs) if (d.region != null) rawRegions.add(d.region);
    const projects = await rows<{ doc_id: string; name: string }>(
      conn,
      `SELECT p.doc_id, p.name FROM projects p SEMI JOIN documents d ON d.doc_id = p.doc_id AND d.region IN (${[...rawRegions].map((r) => `'${r.replace(/'/g, "''")}'`).join(', ')})
       WHERE p.scope = 'project' AND p.name IS NOT NULL AND trim(p.name) <> ''`,
    );
    const projByDoc = new Map<string, string[]>();
    for (const p of projects) {
      const n = norm(p.name);
      if (!n) continue;
      let l = projByDoc.get(p.doc_id);
      if (!l) projByDoc.set(p.doc_id, (l = []));
      l.push(n);
    }
    for (const [, gs] of renameRegions) for (const g of gs) for (const d of g.docs) g.projects.push(...(projByDoc.get(d.doc_id) ?? []));
  }
  for (const [, gs] of renameRegions) {
    // Project names common to many departments of the region (公务用车运行维护费 …) prove nothing.
    const nameFreq = new Map<string, number>();
    for (const g of gs) for (const p of new Set(g.projects)) nameFreq.set(p, (nameFreq.get(p) ?? 0) + 1);
    const commonLimit = Math.max(2, Math.ceil(gs.length * 0.1));
    const distinctive = (p: string) => (nameFreq.get(p) ?? 0) <= commonLimit;
    // Inverted index: project-name → groups, and name bigram → groups.
    const index = new Map<string, Set<Group>>();
    for (const g of gs) {
      const keys = new Set<string>();
      for (const p of new Set(g.projects)) {
        const cs = [...p];
        for (let i = 0; i + 1 < cs.length; i++) keys.add(`p:${cs[i]}${cs[i + 1]}`);
      }
      for (const n of g.names) {
        const cs = [...n];
        for (let i = 0; i + 1 < cs.length; i++) keys.add(`n:${cs[i]}${cs[i + 1]}`);
      }
      for (const k of keys) {
        let s = index.get(k);
        if (!s) index.set(k, (s = new Set()));
        s.add(g);
      }
    }
    const pairCounts = new Map<string, { a: Group; b: Group; n: number }>();
    for (const [k, s] of index) {
      if (s.size < 2 || s.size > 200) continue; // a bigram shared by hundreds of departments says nothing
      const arr = [...s];
      for (let i = 0; i < arr.length; i++)
        for (let j = i + 1; j < arr.length; j++) {
          const [a, b] = arr[i].key < arr[j].key ? [arr[i], arr[j]] : [arr[j], arr[i]];
          const pk = `${a.key}\u0000${b.key}`;
          const e = pairCounts.get(pk);
          if (e) e.n++;
          else pairCounts.set(pk, { a, b, n: 1 });
          void k;
        }
    }
    for (const { a, b, n } of pairCounts.values()) {
      if (n < 2) continue;
      if ([...a.years].some((y) => b.years.has(y))) continue; // one department has one budget per year
      let nameSim = 0;
      for (const x of a.names) for (const y of b.names) nameSim = Math.max(nameSim, bigramSimilarity(x, y));
      const pa = [...new Set(a.projects)].filter(distinctive);
      const pb = [...new Set(b.projects)].filter(distinctive);
      const shared: [string, string, number][] = [];
      const [small, large] = pa.length <= pb.length ? [pa, pb] : [pb, pa];
      for (const x of small) {
        let best = 0;
        let bestY = '';
        for (const y of large) {
          const s = bigramSimilarity(x, y);
          if (s > best) [best, bestY] = [s, y];
        }
        if (best >= projThreshold) shared.push([x, bestY, Math.round(best * 100) / 100]);
      }
      const overlap = small.length ? shared.length / small.length : 0;
      const linked = nameSim >= nameThreshold || (overlap >= overlapThreshold && shared.length >= minShared);
      if (!linked) continue;
      candidates.push({
        a,
        b,
        score: Math.max(nameSim, overlap),
        evidence: { name_similarity: Math.round(nameSim * 100) / 100, project_overlap: Math.round(overlap * 100) / 100, shared_projects: shared.slice(0, 10) },
      });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  const yearsOf = new Map<string, Set<number>>();
  for (const g of groups.values()) yearsOf.set(g.key, new Set(g.years));
  let renames = 0;
  for (const c of candidates) {
    const ra = uf.find(c.a.key);
    const rb = uf.find(c.b.key);
    if (ra === rb) continue;
    const ya = yearsOf.get(ra)!;
    const yb = yearsOf.get(rb)!;
    if ([...ya].some((y) => yb.has(y))) continue;
    uf.union(ra, rb);
    const root = uf.find(ra);
    yearsOf.set(root, new Set([...ya, ...yb]));
    renames++;
    for (const d of [...c.a.docs, ...c.b.docs]) if (!linkEvidence.has(d.doc_id)) linkEvidence.set(d.doc_id, { ...c.evidence, score: Math.round(c.score * 100) / 100 });
    for (const d of c.b.docs) if (method.get(d.doc_id) === 'name') method.set(d.doc_id, 'rename');
    for (const d of c.a.docs) if (method.get(d.doc_id) === 'name') method.set(d.doc_id, 'rename');
  }

  // Materialize.
  const members = new Map<string, DocInfo[]>();
  for (const d of docs) {
    const root = uf.find(keyOf.get(d.doc_id)!);
    let l = members.get(root);
    if (!l) members.set(root, (l = []));
    l.push(d);
  }
  const deptRows: Record<string, unknown>[] = [];
  const linkRows: DepartmentLink[] = [];
  for (const [root, ds] of members) {
    ds.sort((x, y) => (x.year ?? 9999) - (y.year ?? 9999) || x.doc_id.localeCompare(y.doc_id));
    const first = ds[0];
    const last = ds[ds.length - 1];
    const cfg = root.startsWith('config:') ? root.slice(7) : null;
    const dept_id = cfg ?? createHash('sha1').update(`${normRegion(first.region)}|${coreName(first.department, first.region) || first.doc_id}`).digest('hex').slice(0, 12);
    const names = [...new Set(ds.map((d) => d.department).filter((x): x is string => !!x))];
    const codes = [...new Set(ds.map((d) => d.dept_code).filter((x): x is string => !!x))];
    const years = ds.map((d) => d.year).filter((y): y is number => y != null);
    deptRows.push({
      dept_id,
      region: last.region ?? first.region,
      name: last.department ?? first.department ?? `（未标明部门）${(first.source ?? '').split('/').pop()}`,
      names: JSON.stringify(names),
      codes: JSON.stringify(codes),
      first_year: years.length ? Math.min(...years) : null,
      last_year: years.length ? Math.max(...years) : null,
      n_docs: ds.length,
      source: cfg ? 'config' : 'auto',
    });
    for (const d of ds) {
      const m = method.get(d.doc_id) ?? 'name';
      linkRows.push({
        doc_id: d.doc_id,
        dept_id,
        year: d.year,
        method: m,
        confidence: m === 'config' ? 1 : m === 'name' || m === 'code' ? 0.95 : m === 'singleton' ? 1 : Number(linkEvidence.get(d.doc_id)?.score ?? 0.5),
        evidence: linkEvidence.get(d.doc_id) ?? { department: d.department, region: d.region, dept_code: d.dept_code },
      });
    }
  }
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM document_departments');
    await conn.run('DELETE FROM departments');
    await appendRows(conn, 'departments', deptRows);
    await appendRows(conn, 'document_departments', linkRows.map((l) => ({ ...l, evidence: JSON.stringify(l.evidence) })));
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
  return { departments: deptRows.length, renames };
}
