/**
 * Project performance-target tables (项目支出绩效目标表, 部门整体绩效目标表) → projects, goals, indicators.
 *
 * A project is a "head" of key/value rows (项目编码, 项目名称, 预算数, 资金用途, 资金支出计划, 绩效目标…)
 * followed by an indicator table (一级 / 二级 / 三级指标 …). Head and indicators may sit in one
 * table or in consecutive tables; several projects may share one extracted table. Everything is
 * driven by the header dictionaries in headers.ts.
 */
import type { GoalRow, IndicatorRow, ProjectRow, Provenance } from './types.ts';
import { headRole, indicatorRole, isIndicatorHeader, quarterOf, splitFlatIndicator, type HeadRole, type IndicatorRole } from './headers.ts';
import { logical, nonEmpty, type RowView, type ViewCell } from './rows.ts';
import { cellLines, joinLines, key } from './text.ts';
import { columnRoles, isSubHeader, isTitleRow, projectNameFromTitle, refineRolesByContent, type ColumnRole } from './columns.ts';
import { foldFragment, isFragment, joinCutHeader, joinCutLabel, joinCutSubHeader, restOfCutLevel } from './fragments.ts';
import { detectPlanUnit, isGoalLabel, splitGoals } from './goals.ts';
import { matchesProfile, profileOf } from './structure.ts';
import { parseAmountWan, parseIndicatorValue } from './values.ts';

interface Builder {
  project: ProjectRow;
  goals: string[];
  goalProv: Provenance | null;
  indicators: IndicatorRow[];
  planLabels: (string | null)[];
  planRaw: (string | null)[];
  /** The plan's own label as printed (资金支出计划（累计进度%）): says whether it claims percent. */
  planHeader: string | null;
  /** Cell count of the last indicator row (to notice a table cut off mid-row). */
  lastCells: number | null;
}

const prov = (r: RowView): Provenance => ({ page: r.page, table_no: r.tableNo, row_no: r.rowNo, line_no: r.line });

export interface ProjectContext {
  /** Last line of narrative text before the table (its title). */
  title: string | null;
  /** True when a new title appeared since the last indicator row. */
  titleChanged: boolean;
  /** Table title / context says 部门整体. */
  departmentScope: boolean;
  /** The table continues the current indicator table by its structure (see continuesByStructure). */
  continues?: boolean;
}

export class ProjectParser {
  readonly projects: ProjectRow[] = [];
  readonly goals: GoalRow[] = [];
  readonly indicators: IndicatorRow[] = [];
  readonly warnings: string[] = [];
  private cur: Builder | null = null;
  private roles: ColumnRole[] | null = null;
  private mode: 'none' | 'head' | 'indicators' = 'none';
  private pendingPurpose = false;
  private pendingPlan: { pos: number; q: number; label: string }[] | null = null;
  private goalsOpen = false;
  private headSinceIndicators = false;
  private lastWidth = 0;
  /** At the first row of a piece that continues the previous table by structure. */
  private pieceStart = false;

  private start(r: RowView, ctx: ProjectContext) {
    this.finish();
    const seq = this.projects.length + 1;
    const name = ctx.title ? projectNameFromTitle(ctx.title, ctx.departmentScope) : null;
    this.cur = {
      project: {
        project_seq: seq,
        scope: ctx.departmentScope ? 'department' : 'project',
        code: null,
        name,
        budget_wan: null,
        fiscal_wan: null,
        other_wan: null,
        purpose: null,
        plan_q1: null,
        plan_q2: null,
        plan_q3: null,
        plan_q4: null,
        plan_unit: 'empty',
        plan_raw: null,
        plan_labels: null,
        plan_header: null,
        ...prov(r),
      },
      goals: [],
      goalProv: null,
      indicators: [],
      planLabels: [null, null, null, null],
      planRaw: [null, null, null, null],
      planHeader: null,
      lastCells: null,
    };
    this.roles = null;
    this.pendingPurpose = false;
    this.pendingPlan = null;
    this.goalsOpen = false;
    this.headSinceIndicators = true;
  }

  /** Would this table continue the current indicator table (a page break without a repeated header)? */
  wouldContinue(rows: RowView[], titleChanged: boolean): boolean {
    return !!(this.cur && this.roles && this.mode === 'indicators' && !titleChanged && rows[0] && Math.abs(rows[0].cells.length - this.lastWidth) <= 1);
  }

  /**
   * Does this headerless table continue the current indicator table by its structure — same
   * column count, same kinds of content in the identifying columns (一级 / 二级 words, signs) —
   * whatever text stood between them (a margin note, a cell cut off at the page foot)?
   */
  continuesByStructure(rows: RowView[]): boolean {
    if (!this.cur || !this.roles) return false;
    const profile = profileOf(this.roles);
    return !!profile && matchesProfile(rows, profile);
  }

  /** Scope of the project being read, if any. */
  get currentScope(): 'project' | 'department' | null {
    return this.cur?.project.scope ?? null;
  }

  /** Close the current project: settle its plan unit and emit its rows. */
  finish() {
    const b = this.cur;
    if (!b) return;
    this.cur = null;
    const p = b.project;
    if (!p.code && !p.name && !b.indicators.length && !b.goals.length) return;
    const label = `project ${p.project_seq}${p.name ? ` (${p.name})` : ''}`;
    if (this.roles && !b.indicators.length) this.warnings.push(`truncated: ${label} has an indicator header but no indicator rows`);
    else if (!this.roles) this.warnings.push(`${label} has no indicator table`);
    if (this.roles && b.lastCells != null && b.lastCells < this.roles.length - 1 && b.lastCells < this.lastWidth)
      this.warnings.push(`truncated: the last indicator row of ${label} has ${b.lastCells} of ${this.roles.length} cells`);
    const vals = [p.plan_q1, p.plan_q2, p.plan_q3, p.plan_q4];
    p.plan_unit = detectPlanUnit(vals, b.planRaw, p.budget_wan, [b.planHeader, ...b.planLabels].filter((x): x is string => !!x));
    if (b.planRaw.some((x) => x != null)) p.plan_raw = JSON.stringify(b.planRaw);
    if (b.planLabels.some((x) => x != null)) p.plan_labels = JSON.stringify(b.planLabels);
    p.plan_header = b.planHeader;
    this.projects.push(p);
    b.goals.forEach((text, i) => this.goals.push({ project_seq: p.project_seq, goal_seq: i + 1, text, ...(b.goalProv ?? prov0(p)) }));
    this.indicators.push(...b.indicators);
  }

  /** Feed one table's rows. */
  table(input: RowView[], ctx: ProjectContext) {
    const rows = [...input];
    // A table that continues the previous one's indicator columns (page break without a repeated header).
    this.pieceStart = !!ctx.continues;
    if (ctx.continues) this.mode = 'indicators';
    else if (!this.wouldContinue(rows, ctx.titleChanged)) {
      this.mode = 'none';
      this.pendingPlan = null;
      this.pendingPurpose = false;
      this.goalsOpen = false;
    }
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const keys = r.cells.map((c) => c.key);
      // The upper row of a two-row indicator header (绩效指标 over 一级 / 二级 / 三级, with the
      // project columns spanning down into the row below) is not a head of key / value rows.
      const next = rows[i + 1];
      // A header row cut by a page break: its halves joined (and the sub-header row kept apart).
      const cut = next ? joinCutHeader(r, next) : null;
      if (cut) {
        rows.splice(i, 2, ...cut);
        i--;
        continue;
      }
      if (next && next.cells.some((c) => c.spannedDown) && isIndicatorHeader(next.cells.map((c) => c.key)) && !isIndicatorHeader(keys)) continue;
      if (isIndicatorHeader(keys)) {
        const repeated = this.cur && this.cur.indicators.length > 0 && !this.headSinceIndicators && !ctx.titleChanged;
        if (!this.cur || (this.cur.indicators.length > 0 && !repeated)) this.start(r, ctx);
        let sub = next && isSubHeader(next) ? next : null;
        let skip = sub ? 1 : 0;
        // The sub-header cut by a page break (单位（文字 | 描述）): its rest joined back.
        const rest = sub ? rows[i + 2] : undefined;
        const joined = sub && rest ? joinCutSubHeader(sub, rest) : null;
        if (joined) [sub, skip] = [joined, 2];
        this.roles = refineRolesByContent(columnRoles(r, sub), rows.slice(i + 1 + skip, i + 40));
        i += skip;
        this.mode = 'indicators';
        this.pendingPlan = null;
        this.pendingPurpose = false;
        this.goalsOpen = false;
        this.lastWidth = r.cells.length;
        continue;
      }
      const cells = logical(r);
      const labels = cells.map((c) => (c.spannedDown ? null : headRole(c.key)));
      if (labels.includes('code') || labels.includes('name')) {
        const b = this.cur;
        const clash =
          b &&
          (b.indicators.length > 0 ||
            (labels.includes('code') && b.project.code) ||
            (labels.includes('name') && b.project.name && !ctx.title?.includes(b.project.name ?? '\u0000') && b.project.code) ||
            (labels.includes('name') && b.project.name && labels.includes('code')));
        if (!b || clash) this.start(r, { ...ctx, title: null });
        else this.headSinceIndicators = true;
        this.mode = 'head';
        this.headRow(r, cells, labels);
        continue;
      }
      if (labels.some((l) => l && l !== 'ignore') && this.mode !== 'indicators') {
        if (!this.cur) this.start(r, ctx);
        this.mode = 'head';
        this.headSinceIndicators = true;
        this.headRow(r, cells, labels);
        continue;
      }
      if (this.mode === 'head' && this.cur) {
        // A label cut mid-word by the page break: the row above is read again with the whole label.
        const cut = i > 0 ? joinCutLabel(rows[i - 1], r) : null;
        if (cut) {
          const above = logical(cut.prev);
          this.headRow(cut.prev, above, above.map((c) => (c.spannedDown ? null : headRole(c.key))));
          this.headContinuation(cut.next, logical(cut.next));
          continue;
        }
        this.headContinuation(r, cells);
        continue;
      }
      if (this.mode === 'indicators' && this.cur && this.roles) {
        if (nonEmpty(r).length === 0) continue;
        if (isTitleRow(r)) {
          // A lone title row (预算项目绩效信息表, a unit line) ends the indicator block.
          this.mode = 'none';
          continue;
        }
        if (this.roles.some((x) => x.startsWith('head:')) && this.wideHead(r, ctx)) continue;
        this.pieceStart = false;
        this.indicatorRow(r);
        this.lastWidth = Math.max(this.lastWidth, r.cells.length);
      }
    }
  }

  private headRow(r: RowView, cells: ViewCell[], labels: (ReturnType<typeof headRole> | null)[]) {
    const b = this.cur!;
    const p = b.project;
    const valueAfter = (i: number): { cell: ViewCell; idx: number } | null => {
      for (let j = i + 1; j < cells.length; j++) {
        const c = cells[j];
        if (!c.text || c.spannedDown) continue;
        if (labels[j] && labels[j] !== 'ignore') return null;
        if (/[:：]$/.test(c.text)) continue; // an unknown label (…总额：) between a label and its value
        return { cell: c, idx: j };
      }
      return null;
    };
    this.goalsOpen = false;
    this.pendingPurpose = false;
    this.pendingPlan = null;
    for (let i = 0; i < cells.length; i++) {
      const role = labels[i];
      const c = cells[i];
      if (!role || role === 'ignore' || c.spannedDown) continue;
      const v = valueAfter(i);
      switch (role) {
        case 'code':
          if (v) p.code = v.cell.text.replace(/^[[［【]|[\]］】]$/g, '').replace(/\s+/g, '');
          break;
        case 'name':
          if (v) p.name = v.cell.text;
          break;
        case 'budget': {
          const inCell = parseAmountWan(c.text.replace(/^[^\d]*/, '') || null);
          p.budget_wan = inCell ?? (v ? parseAmountWan(v.cell.text) : null);
          break;
        }
        case 'fiscal': {
          const inCell = /\d/.test(c.text) ? parseAmountWan(c.text.replace(/^[^\d]*/, '')) : null;
          p.fiscal_wan = inCell ?? (v ? parseAmountWan(v.cell.text) : null);
          break;
        }
        case 'other': {
          const inCell = /\d/.test(c.text) ? parseAmountWan(c.text.replace(/^[^\d]*/, '')) : null;
          p.other_wan = inCell ?? (v ? parseAmountWan(v.cell.text) : null);
          break;
        }
        case 'purpose':
          if (v && !/^\d/.test(v.cell.text)) p.purpose = v.cell.text;
          else this.pendingPurpose = true;
          break;
        case 'plan': {
          const qs: { pos: number; q: number; label: string }[] = [];
          r.cells.forEach((cc, pos) => {
            const q = cc.spannedRight ? null : quarterOf(cc.key);
            if (q != null) qs.push({ pos, q, label: cc.text });
          });
          for (const x of qs) b.planLabels[x.q] = x.label;
          this.pendingPlan = qs.length ? qs : null;
          b.planHeader = c.text;
          break;
        }
        case 'goals': {
          const texts = cells.slice(i + 1).filter((x) => x.text && !x.spannedDown && !isGoalLabel(x.key));
          for (const t of texts) this.addGoals(t.raw, r);
          this.goalsOpen = true;
          i = cells.length;
          break;
        }
      }
    }
  }

  private addGoals(raw: string, r: RowView) {
    const b = this.cur!;
    const gs = splitGoals(raw);
    if (gs.length && !b.goalProv) b.goalProv = prov(r);
    b.goals.push(...gs);
  }

  /** A row whose first cell is empty (or merged from above) continues the head block. */
  private headContinuation(r: RowView, cells: ViewCell[]) {
    const b = this.cur!;
    const p = b.project;
    if (this.pendingPlan) {
      const raw = this.pendingPlan.map((x) => cellAt(r, x.pos));
      if (raw.some((x) => x && /\d/.test(x))) {
        for (const [k, x] of this.pendingPlan.entries()) {
          const t = raw[k];
          b.planRaw[x.q] = t || null;
          const n = t ? Number((t.match(/[-+]?\d+(?:\.\d+)?/) ?? [''])[0]) : NaN;
          const v = t && /\d/.test(t) ? n : null;
          if (x.q === 0) p.plan_q1 = v;
          else if (x.q === 1) p.plan_q2 = v;
          else if (x.q === 2) p.plan_q3 = v;
          else p.plan_q4 = v;
        }
        this.pendingPlan = null;
        return;
      }
      this.pendingPlan = null;
    }
    const texts = cells.filter((c) => c.text && !c.spannedDown && !isGoalLabel(c.key));
    if (!texts.length) return;
    if (this.goalsOpen) {
      for (const t of texts) this.addGoals(t.raw, r);
      return;
    }
    if (this.pendingPurpose && !p.purpose) {
      p.purpose = texts.map((t) => t.text).join('');
      this.pendingPurpose = false;
    }
  }

  /** Wide layouts: a new value in the row's project-name column starts the next project. */
  private wideHead(r: RowView, ctx: ProjectContext): boolean {
    const roles = this.roles!;
    const at = (role: HeadRole) => {
      const i = roles.indexOf(`head:${role}` as ColumnRole);
      const c = i >= 0 ? r.cells[i] : undefined;
      return c && c.text && !c.spannedDown ? c.text : null;
    };
    let name = at('name');
    let code = at('code');
    if (!name && !code) return false;
    // 北京 prints the project code and name in one cell: `11000021Y00000039⏎0843-信息系统运维⏎类项目`.
    const nameIdx = roles.indexOf('head:name' as ColumnRole);
    const rawLines = nameIdx >= 0 ? cellLines(r.cells[nameIdx]?.raw ?? '') : [];
    const m = rawLines.length > 1 ? rawLines[0].match(/^([0-9A-Z]{12,})$/) : name?.match(/^([0-9A-Z]{12,})\s+(.+)$/);
    if (m && !code) {
      code = m[1];
      name = rawLines.length > 1 ? joinLines(rawLines.slice(1).join('\n')) : m[2] ?? name;
    }
    if (/^(?:合计|总计|小计)$/.test((name ?? code ?? '').replace(/\s+/g, ''))) return true;
    const b = this.cur!;
    // The same name again (repeated after a page break) continues the project.
    const same = !!name && name === b.project.name && (!code || !b.project.code || code === b.project.code);
    if (same) return false;
    // At the top of a piece that continues the table, a name without the code the layout prints is
    // the rest of the previous project's name cell, cut by the page break (or repeated in the margin).
    if (this.pieceStart && !code && b.project.code) return false;
    if (b.indicators.length || b.goals.length) {
      this.start(r, { ...ctx, title: null });
      this.roles = roles; // same table, same columns
      this.mode = 'indicators';
    } else {
      // Nothing collected yet (a 合计 / unit row above the project, or a name taken from the
      // title): this row's values replace it.
      Object.assign(b.project, { code: null, budget_wan: null, fiscal_wan: null, other_wan: null, ...prov(r) });
    }
    const p = this.cur!.project;
    if (name) p.name = name;
    if (code) p.code = code.replace(/\s+/g, '');
    const budget = at('budget');
    if (budget) p.budget_wan = parseAmountWan(budget);
    const fiscal = at('fiscal');
    if (fiscal) p.fiscal_wan = parseAmountWan(fiscal);
    const other = at('other');
    if (other) p.other_wan = parseAmountWan(other);
    const goals = at('goals');
    if (goals) for (const g of splitGoals(goals)) this.cur!.goals.push(g);
    if (goals && !this.cur!.goalProv) this.cur!.goalProv = prov(r);
    return false;
  }

  private indicatorRow(r: RowView) {
    const b = this.cur!;
    const roles = this.roles!;
    const get = (role: IndicatorRole): { text: string; down: boolean; present: boolean } => {
      // A header may span several columns (指标名称 over a row label and the name): the rightmost
      // cell with its own text is the value; a cell merged from above counts only if nothing else does.
      let found: { text: string; down: boolean; present: boolean } | null = null;
      roles.forEach((x, idx) => {
        if (x !== role) return;
        const c = r.cells[idx];
        if (!c) return;
        if (c.text && !c.spannedDown && !c.spannedRight) found = { text: c.text, down: false, present: true };
        else if (!found) found = { text: c.text, down: c.spannedDown, present: true };
      });
      return found ?? { text: '', down: false, present: roles.includes(role) };
    };
    const prev = b.indicators[b.indicators.length - 1];
    let l1 = get('level1');
    let l2 = get('level2');
    if (prev && isFragment(r, prev, roles, get)) {
      foldFragment(r, prev, roles);
      return;
    }
    // A merged level cell cut mid-word by the page break: the rows above take the whole name and
    // this row continues the cell (its other cells are its own).
    if (prev) {
      for (const level of ['level1', 'level2'] as const) {
        const cell = level === 'level1' ? l1 : l2;
        const whole = restOfCutLevel(r, prev, level, cell);
        if (!whole) continue;
        const cut = prev[level];
        for (let k = b.indicators.length - 1; k >= 0 && b.indicators[k][level] === cut && b.indicators[k].table_no === prev.table_no; k--) b.indicators[k][level] = whole;
        if (level === 'level1') l1 = { ...l1, down: true };
        else l2 = { ...l2, down: true };
      }
    }
    const level1_carried = l1.present && (!l1.text || l1.down) && !!prev?.level1;
    const level2_carried = l2.present && (!l2.text || l2.down) && !!prev?.level2 && (!l1.text || l1.down);
    let level1 = l1.text && !l1.down ? l1.text : level1_carried ? prev!.level1 : l1.text || null;
    let level2 = l2.text && !l2.down ? l2.text : level2_carried ? prev!.level2 : l2.text || null;
    let level3 = get('level3').text || null;
    if (!l1.present && level3) {
      const flat = splitFlatIndicator(level3);
      if (flat) ({ level1, level2, level3 } = { level1: flat.level1, level2: flat.level2, level3: flat.level3 || null });
    }
    const description = get('description').text || null;
    // Layouts without a 三级 column name the indicator in 指标内容: it is the level-3 indicator.
    if (!level3 && !roles.includes('level3') && description) level3 = description;
    const opCol = get('op');
    const numCol = get('value_num');
    const unitCol = get('measure_unit');
    let valueText = get('value').text || null;
    let splitColumns = false;
    // Comparison sign, number and unit printed in separate columns: join them as they read.
    const sign = opCol.text && !/^(?:定性|定量)$/.test(opCol.text) ? opCol.text : '';
    const qualitative = /^(?:定性|定量)$/.test(opCol.text) ? opCol.text : null;
    if (valueText && (sign || (unitCol.text && /^[\d.]+$/.test(valueText)))) {
      valueText = `${sign}${valueText}${/^[\d.,]+$/.test(valueText) ? unitCol.text : ''}`;
      splitColumns = true;
    } else if (!valueText && (opCol.present || numCol.present)) {
      valueText = `${sign}${numCol.text}${numCol.text ? unitCol.text : ''}` || null;
      splitColumns = opCol.present && numCol.present;
    }
    const parsed = parseIndicatorValue(valueText, { unit: !splitColumns && unitCol.text ? unitCol.text : null });
    if (splitColumns && parsed.value_raw) parsed.value_cleaning = [parsed.value_cleaning, 'joined-columns'].filter(Boolean).join(',');
    const basisCol = get('basis');
    const scoring = get('scoring_rule').text || null;
    const extra: Record<string, string> = {};
    roles.forEach((role, idx) => {
      if (role.startsWith('extra:') && r.cells[idx]?.text) extra[role.slice(6) || `col${idx + 1}`] = r.cells[idx].text;
    });
    for (let idx = roles.length; idx < r.cells.length; idx++) if (r.cells[idx].text) extra[`col${idx + 1}`] = r.cells[idx].text;
    if (!level3 && !description && parsed.value_kind === 'empty' && !basisCol.text) return;
    // An empty template prints its 一级 / 二级 labels with a header word (绩效指标) where the 三级
    // name would be, and no value: not an indicator.
    if (parsed.value_kind === 'empty' && !basisCol.text && level3 && indicatorRole(key(level3)) && (!description || description === level3)) return;
    const weightText = get('weight').text;
    const weight = weightText && /\d/.test(weightText) ? Number(weightText.match(/\d+(?:\.\d+)?/)![0]) : null;
    b.indicators.push({
      project_seq: b.project.project_seq,
      indicator_seq: b.indicators.length + 1,
      level1,
      level2,
      level3,
      description,
      ...parsed,
      basis: basisCol.text || (basisCol.present ? null : scoring),
      level1_carried,
      level2_carried,
      weight,
      nature: get('nature').text || null,
      measure_unit: unitCol.text || null,
      scoring_rule: scoring,
      value_type: get('value_type').text || qualitative,
      period_value: get('period_value').text || null,
      extra: Object.keys(extra).length ? JSON.stringify(extra) : null,
      ocr_confidence: r.ocr,
      ...prov(r),
    });
    this.headSinceIndicators = false;
    b.lastCells = r.cells.length;
  }

  /** Called when narrative text appears between tables. */
  text() {
    this.goalsOpen = false;
  }
}

const prov0 = (p: ProjectRow): Provenance => ({ page: p.page, table_no: p.table_no, row_no: p.row_no, line_no: p.line_no });

function cellAt(r: RowView, pos: number): string | null {
  const c = r.cells[pos];
  return c && c.text && !c.spannedDown ? c.text : null;
}
