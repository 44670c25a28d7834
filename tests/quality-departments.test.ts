/**
 * Department identity and year-over-year matching on small warehouses built row by row: renames
 * found through project overlap, names with region prefixes and （汇总） qualifiers, regions kept
 * apart, config overrides, generic project names ignored; targets raised / lowered for ≥ and ≤.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWarehouse, rows } from '../warehouse/db.ts';
import { coreName, loadDepartmentOverrides, mayRename, normRegion, resolveDepartments } from '../warehouse/quality/departments.ts';
import { insertFixture } from '../warehouse/quality/rules.ts';
import { buildYoy } from '../warehouse/quality/yoy.ts';

const projects = (doc: string, names: string[]) => names.map((name, i) => ({ doc_id: doc, project_seq: i + 1, name }));

describe('department names', () => {
  it('removes the region prefix and printed qualifiers', () => {
    expect(coreName('西安市卫生健康委员会（汇总）', '西安市')).toBe('卫生健康委员会');
    expect(coreName('承德高新技术产业开发区应急管理局', '承德高新技术产业开发区')).toBe('应急管理局');
    expect(coreName('曹妃甸区市场监督管理局第六分局', null)).toBe('市场监督管理局第六分局');
    expect(coreName('西安市雁塔区教育局', null)).toBe('教育局');
    expect(normRegion('承德高新技术产业开发区')).toBe(normRegion('承德高新区'));
  });
});

describe('mayRename (which regions need their project names read)', () => {
  it('is true only when two departments of the region have no year in common', () => {
    const ys = (...y: number[]) => new Set(y);
    expect(mayRename([ys(2020, 2021, 2022), ys(2021, 2022), ys(2022)])).toBe(false);
    expect(mayRename([ys(2020, 2021), ys(2020, 2021)])).toBe(false);
    expect(mayRename([ys(2020, 2021), ys(2021, 2022), ys(2023)])).toBe(true); // a rename in 2023 is possible
    expect(mayRename([ys(2020), ys()])).toBe(true); // a department without a year
    expect(mayRename([ys(2020)])).toBe(false);
  });
});

describe('resolveDepartments', () => {
  it('links a rename by shared projects, keeps other regions and unrelated departments apart', async () => {
    const wh = await openWarehouse(':memory:');
    try {
      await insertFixture(wh.conn, {
        documents: [
          { doc_id: 'a2020', region: '甲市', department: '甲市安全生产监督管理局', year: 2020 },
          { doc_id: 'a2022', region: '甲市', department: '甲市应急管理局（汇总）', year: 2022 },
          { doc_id: 'b2022', region: '乙市', department: '乙市安全生产监督管理局', year: 2022 },
          { doc_id: 'c2021', region: '甲市', department: '甲市教育局', year: 2021 },
          { doc_id: 'c2022', region: '甲市', department: '甲市教育局', year: 2022 },
          { doc_id: 'e2021', region: '甲市', department: '甲市文化局', year: 2021 },
        ],
        projects: [
          ...projects('a2020', ['安全生产举报奖励金', '应急演练经费', '隐患排查治理专项', '执法装备购置', '公务用车运行维护费']),
          ...projects('a2022', ['安全生产举报奖励', '应急演练专项', '隐患排查治理专项经费', '森林防火专项', '公务用车运行维护费']),
          ...projects('b2022', ['安全生产举报奖励金', '应急演练经费', '隐患排查治理专项', '执法装备购置']),
          ...projects('c2021', ['校舍维修', '公务用车运行维护费']),
          ...projects('c2022', ['校舍维修改造', '公务用车运行维护费']),
          // 文化局 2021 shares only the generic car project with 应急管理局 2022: not a rename.
          ...projects('e2021', ['公务用车运行维护费', '文化下乡', '非遗保护']),
        ],
      });
      const r = await resolveDepartments(wh.conn, { overrides: [] });
      const dd = Object.fromEntries(
        (await rows<{ doc_id: string; dept_id: string; method: string }>(wh.conn, 'SELECT doc_id, dept_id, method FROM document_departments')).map((x) => [x.doc_id, x]),
      );
      expect(dd.a2020.dept_id).toBe(dd.a2022.dept_id);
      expect(dd.a2022.method).toBe('rename');
      expect(dd.b2022.dept_id).not.toBe(dd.a2020.dept_id); // other region
      expect(dd.c2021.dept_id).toBe(dd.c2022.dept_id); // same name
      expect(dd.c2022.method).toBe('name');
      expect(dd.e2021.dept_id).not.toBe(dd.a2022.dept_id);
      expect(r.renames).toBe(1);
      const [dept] = await rows<{ names: string; first_year: number; last_year: number }>(
        wh.conn,
        `SELECT names, first_year, last_year FROM departments WHERE dept_id = $1`,
        [dd.a2020.dept_id],
      );
      expect(JSON.parse(dept.names)).toEqual(['甲市安全生产监督管理局', '甲市应急管理局（汇总）']);
      expect([dept.first_year, dept.last_year]).toEqual([2020, 2022]);
    } finally {
      wh.close();
    }
  });

  it('applies config/departments.yaml overrides', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jixiao-dept-'));
    const file = path.join(dir, 'departments.yaml');
    writeFileSync(file, 'departments:\n  - id: jia-culture-tourism\n    region: 甲市\n    names: [文化局, 文化和旅游局]\n');
    const overrides = loadDepartmentOverrides(file);
    const wh = await openWarehouse(':memory:');
    try {
      await insertFixture(wh.conn, {
        documents: [
          { doc_id: 'x2018', region: '甲市', department: '甲市文化局', year: 2018 },
          { doc_id: 'x2019', region: '甲市', department: '甲市文化和旅游局', year: 2019 },
          { doc_id: 'y2019', region: '乙市', department: '乙市文化局', year: 2019 },
        ],
      });
      await resolveDepartments(wh.conn, { overrides });
      const dd = await rows<{ doc_id: string; dept_id: string; method: string }>(wh.conn, 'SELECT doc_id, dept_id, method FROM document_departments ORDER BY doc_id');
      expect(dd).toEqual([
        { doc_id: 'x2018', dept_id: 'jia-culture-tourism', method: 'config' },
        { doc_id: 'x2019', dept_id: 'jia-culture-tourism', method: 'config' },
        expect.objectContaining({ doc_id: 'y2019', method: 'name' }),
      ]);
    } finally {
      wh.close();
    }
  });
});

describe('buildYoy', () => {
  it('matches projects by code, name and fuzzy name, and classifies target changes', async () => {
    const wh = await openWarehouse(':memory:');
    try {
      await insertFixture(wh.conn, {
        documents: [
          { doc_id: 'p', region: '甲市', department: '甲市财政局', year: 2021 },
          { doc_id: 'c', region: '甲市', department: '甲市财政局', year: 2023 },
        ],
        projects: [
          { doc_id: 'p', project_seq: 1, code: 'X1', name: '预算评审', budget_wan: 10 },
          { doc_id: 'p', project_seq: 2, code: 'X2', name: '绩效评价经费', budget_wan: 20 },
          { doc_id: 'p', project_seq: 3, code: 'X3', name: '国库集中支付', budget_wan: 5 },
          { doc_id: 'c', project_seq: 1, code: 'Y9', name: '预算评审', budget_wan: 12 },
          { doc_id: 'c', project_seq: 2, code: 'X2', name: '全过程绩效管理', budget_wan: 15 },
          { doc_id: 'c', project_seq: 3, code: 'Y7', name: '国库集中支付专项', budget_wan: 5 },
          { doc_id: 'c', project_seq: 4, code: 'Y8', name: '政府采购监管', budget_wan: 3 },
        ],
        indicators: [
          { doc_id: 'p', project_seq: 1, indicator_seq: 1, level3: '评审项目数', value_raw: '≥100个', op: '≥', value_num: 100 },
          { doc_id: 'p', project_seq: 1, indicator_seq: 2, level3: '评审时限', value_raw: '≤15天', op: '≤', value_num: 15 },
          { doc_id: 'p', project_seq: 1, indicator_seq: 3, level3: '审减率', value_raw: '≥5%', op: '≥', value_num: 5 },
          { doc_id: 'c', project_seq: 1, indicator_seq: 1, level3: '评审项目数', value_raw: '≥120个', op: '≥', value_num: 120 },
          { doc_id: 'c', project_seq: 1, indicator_seq: 2, level3: '评审时限', value_raw: '≤20天', op: '≤', value_num: 20 },
          { doc_id: 'c', project_seq: 1, indicator_seq: 3, level3: '专家满意度', value_raw: '≥90%', op: '≥', value_num: 90 },
          { doc_id: 'p', project_seq: 3, indicator_seq: 1, level3: '支付及时率', value_raw: '100%', value_num: 100 },
          { doc_id: 'c', project_seq: 3, indicator_seq: 1, level3: '支付及时率', value_raw: '100%', value_num: 100 },
        ],
      });
      await resolveDepartments(wh.conn, { overrides: [] });
      await buildYoy(wh.conn);
      const yp = await rows<{ project_seq: number; prev_project_seq: number | null; match_method: string | null; budget_change_wan: number | null; set_copied: boolean }>(
        wh.conn,
        `SELECT project_seq, prev_project_seq, match_method, budget_change_wan, set_copied FROM yoy_projects ORDER BY project_seq`,
      );
      expect(yp).toEqual([
        { project_seq: 1, prev_project_seq: 1, match_method: 'name', budget_change_wan: 2, set_copied: false },
        { project_seq: 2, prev_project_seq: 2, match_method: 'code', budget_change_wan: -5, set_copied: false },
        { project_seq: 3, prev_project_seq: 3, match_method: 'fuzzy', budget_change_wan: 0, set_copied: true },
        { project_seq: 4, prev_project_seq: null, match_method: null, budget_change_wan: null, set_copied: false },
      ]);
      const yi = await rows<{ indicator: string; change: string }>(
        wh.conn,
        `SELECT indicator, change FROM yoy_indicators WHERE doc_id = 'c' AND project_seq = 1 ORDER BY indicator`,
      );
      expect(Object.fromEntries(yi.map((r) => [r.indicator, r.change]))).toEqual({
        评审项目数: 'raised', // ≥100 → ≥120
        评审时限: 'lowered', // ≤15天 → ≤20天: a looser ceiling
        专家满意度: 'added',
        审减率: 'dropped',
      });
    } finally {
      wh.close();
    }
  });
});
