/**
 * Rendering a scorecard: HTML (Chinese, self-contained, charts as inline SVG drawn by vega-lite at
 * build time, no script and no CDN), Markdown, and the index page ranking department-years.
 */
import { chartSvg } from '../charts.ts';
import { NOT_ASSESSABLE } from '../quality/scoring.ts';
import type { Deduction, FindingCell, Scorecard, ScorecardSummary } from './data.ts';

const esc = (v: unknown) =>
  String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
const fmt = (n: number | null | undefined, d = 1) => (n == null || !Number.isFinite(n) ? '—' : Number(n).toFixed(d));
const base = (s: string | null) => (s ?? '').split('/').pop() ?? '';
const SEVERITY_ZH: Record<string, string> = { error: '严重', warning: '警告', info: '提示' };
const CATEGORY_ZH: Record<string, string> = {
  placeholder: '占位符',
  measurability: '可衡量性',
  clone: '雷同',
  yoy: '跨年度',
  structure: '结构',
  consistency: '一致性',
  plausibility: '合理性',
  basis: '依据',
  completeness: '公开完整性',
};

export function yearLabel(y: number | null) {
  return y == null ? '年度不详' : `${y}年`;
}

/** A score, or 不可评价 when there is none. */
const scoreText = (n: number | null | undefined, d = 1) => (n == null ? NOT_ASSESSABLE : fmt(n, d));

/** What the department-year had to assess, in one line. */
export function evidenceLine(sc: Scorecard): string {
  const e = sc.evidence;
  if (!e) return `项目 ${sc.counts.projects} 个，指标 ${sc.counts.indicators} 条`;
  return `文件 ${e.documents} 份${e.unreadable ? `（无法读取 ${e.unreadable} 份）` : ''}，绩效目标表 ${e.target_tables} 张，项目 ${e.projects} 个，指标 ${e.indicators} 条`;
}

/** Where a finding is: file, page, table, row. */
export function cellRef(c: FindingCell): string {
  const parts = [base(c.source)];
  if (c.page != null) parts.push(`第${c.page}页`);
  if (c.table_no != null) parts.push(`表${c.table_no}`);
  if (c.row_no != null) parts.push(`行${c.row_no}`);
  if (c.page == null && c.line_no != null) parts.push(`（文本第${c.line_no}行）`);
  return parts.join(' ');
}

export async function scorecardCharts(sc: Scorecard): Promise<{ dims: string; trend: string; categories: string }> {
  const dims = await chartSvg(
    {
      width: 420,
      height: 160,
      title: '分项得分（满分为权重）',
      layer: [
        { mark: { type: 'bar', color: '#e5e7eb' }, encoding: { y: { field: 'dimension', type: 'nominal', sort: null, title: null }, x: { field: 'weight', type: 'quantitative', title: '得分' } } },
        { mark: { type: 'bar', color: '#2563eb' }, encoding: { y: { field: 'dimension', type: 'nominal', sort: null }, x: { field: 'score', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'left', dx: 4 },
          encoding: { y: { field: 'dimension', type: 'nominal', sort: null }, x: { field: 'weight', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    },
    sc.dimensions.map((d) => ({ dimension: d.dimension, weight: d.weight, score: d.score, label: d.score == null ? NOT_ASSESSABLE : `${fmt(d.score)}/${d.weight}` })),
  );
  const trendData = sc.trend.filter((t) => t.year != null && t.score != null).map((t) => ({ year: String(t.year), dimension: t.dimension === 'total' ? '总分' : t.dimension, score: t.score }));
  const trend = await chartSvg(
    {
      width: 420,
      height: 180,
      title: '历年得分',
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'year', type: 'ordinal', title: '年度' },
        y: { field: 'score', type: 'quantitative', title: '得分', scale: { domain: [0, 100] } },
        color: { field: 'dimension', type: 'nominal', title: null },
      },
    },
    trendData.length ? trendData : [{ year: yearLabel(sc.year), dimension: '总分', score: sc.total ?? 0 }],
  );
  const cats = new Map<string, number>();
  for (const d of [...sc.deductions, ...sc.notes]) cats.set(d.category, (cats.get(d.category) ?? 0) + d.n_findings);
  const categories = await chartSvg(
    {
      width: 420,
      height: 160,
      title: '问题数（按类别）',
      mark: { type: 'bar', color: '#dc2626' },
      encoding: { y: { field: 'category', type: 'nominal', sort: '-x', title: null }, x: { field: 'n', type: 'quantitative', title: '条数' } },
    },
    cats.size ? [...cats].map(([c, n]) => ({ category: CATEGORY_ZH[c] ?? c, n })) : [{ category: '无', n: 0 }],
  );
  return { dims, trend, categories };
}

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; color: #111827; margin: 24px auto; max-width: 1000px; padding: 0 16px; font-size: 14px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #e5e7eb; padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #4b5563; font-size: 13px; }
.score { display: flex; gap: 24px; align-items: center; margin: 16px 0; flex-wrap: wrap; }
.big { font-size: 48px; font-weight: bold; color: #1d4ed8; } .grade { font-size: 22px; padding: 2px 10px; border-radius: 6px; background: #dbeafe; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid #d1d5db; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } td.n { text-align: right; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts figure { margin: 0; break-inside: avoid; }
.sev-error { color: #b91c1c; } .sev-warning { color: #b45309; } .sev-info { color: #4b5563; }
.rule { break-inside: auto; } .rationale { color: #374151; font-size: 12.5px; margin: 2px 0 6px; }
.more { color: #6b7280; font-size: 12px; }
.na { color: #92400e; } .na-box { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 6px; padding: 8px 12px; margin: 12px 0; } a { color: #1d4ed8; text-decoration: none; }
tr { break-inside: avoid; }
`;

function findingsTable(d: Deduction): string {
  const rows = d.findings
    .map(
      (c) =>
        `<tr><td>${esc(cellRef(c))}</td><td>${esc(c.project ?? '')}</td><td>${esc(c.level3 ?? '')}</td><td>${esc(c.value_raw ?? '')}</td><td>${esc(c.message)}</td></tr>`,
    )
    .join('\n');
  const more = d.n_findings > d.findings.length ? `<p class="more">另有 ${d.n_findings - d.findings.length} 条未列出（完整清单见 JSON 或 findings 表）。</p>` : '';
  return `<table><thead><tr><th>位置（文件 页 表 行）</th><th>项目</th><th>指标</th><th>指标值</th><th>说明</th></tr></thead><tbody>\n${rows}\n</tbody></table>${more}`;
}

/** The note under the no-targets rule when it took its configured share (config no_targets). */
export function noTargetsNote(sc: Scorecard, d: Deduction): string | null {
  const nt = sc.weights.no_targets;
  if (!nt || d.rule_id !== nt.rule || !sc.evidence || sc.evidence.target_tables > 0) return null;
  return `本部门年度所有文件均无绩效目标表：扣除${d.dimension}权重的 ${fmt(nt.share * 100, 0)}%（不受单条规则上限 ${sc.weights.per_rule_cap} 限制；config/scorecard.yaml no_targets）。`;
}

function ruleSection(d: Deduction, sc: Scorecard): string {
  const note = noTargetsNote(sc, d);
  return `<div class="rule" id="rule-${esc(d.rule_id)}">
<h3><span class="sev-${esc(d.severity)}">[${esc(SEVERITY_ZH[d.severity] ?? d.severity)}]</span> ${esc(d.title_zh)} <small>（${esc(d.rule_id)}）</small></h3>
<p class="rationale">维度：${esc(d.dimension)} · 扣分 <b>${fmt(d.deduction, 2)}</b> · 命中 ${d.n_entities}/${d.n_eligible}（${fmt(d.rate * 100)}%）· 依据：${esc(d.reference)}${d.heuristic ? ' · 经验规则' : ''}</p>
<p class="rationale">${esc((d.rationale_zh ?? d.rationale).trim())}</p>
${note ? `<p class="rationale na" id="no-targets">${esc(note)}</p>\n` : ''}${findingsTable(d)}
</div>`;
}

export async function renderScorecardHtml(sc: Scorecard): Promise<string> {
  const charts = await scorecardCharts(sc);
  const dimRows = sc.dimensions
    .map((d) =>
      d.assessable
        ? `<tr><td>${esc(d.dimension)}</td><td class="n">${d.weight}</td><td class="n">${fmt(d.score, 2)}</td><td class="n">${fmt(d.deduction, 2)}</td><td class="n">${d.n_findings}</td></tr>`
        : `<tr class="na"><td>${esc(d.dimension)}</td><td class="n">${d.weight}</td><td class="n" title="${esc(d.reason)}">${NOT_ASSESSABLE}</td><td class="n">—</td><td class="n">${d.n_findings}</td></tr>`,
    )
    .join('\n');
  const naBox = sc.assessable
    ? ''
    : `<div class="na-box" id="not-assessable"><b>${NOT_ASSESSABLE}</b>：${esc(sc.reason)}。没有可评价的内容就不给分（而不是给满分），本部门年度不参加排名。</div>`;
  const docs = sc.documents
    .map((d) => `<tr><td>${esc(base(d.source))}</td><td>${esc(d.title ?? '')}</td><td>${esc(d.department ?? '')}</td><td>${esc(d.kind ?? '')}</td><td>${esc(d.format ?? '')}</td><td class="n">${d.pages ?? '—'}</td><td>${esc(d.status)}</td></tr>`)
    .join('\n');
  const byDim = new Map<string, Deduction[]>();
  for (const d of sc.deductions) {
    let l = byDim.get(d.dimension);
    if (!l) byDim.set(d.dimension, (l = []));
    l.push(d);
  }
  const deductionHtml = sc.deductions.length
    ? sc.dimensions
        .filter((dim) => byDim.has(dim.dimension))
        .map(
          (dim) =>
            `<h2>${esc(dim.dimension)}：${dim.assessable ? `扣 ${fmt(dim.deduction, 2)} 分` : `${NOT_ASSESSABLE}（以下问题不计分）`}</h2>\n${byDim.get(dim.dimension)!.map((d) => ruleSection(d, sc)).join('\n')}`,
        )
        .join('\n')
    : sc.assessable
      ? '<p>未发现扣分问题。</p>'
      : `<p class="na">无可评价的绩效目标：${esc(sc.reason)}。</p>`;
  const clones = sc.clones.length
    ? `<h2>雷同指标集</h2><table><thead><tr><th>簇</th><th>方式</th><th>项目数</th><th>涉及部门</th><th>涉及年度</th><th>本部门项目</th><th>共同指标（示例）</th></tr></thead><tbody>${sc.clones
        .map(
          (c) =>
            `<tr><td>${esc(c.cluster_id)}</td><td>${c.method === 'exact' ? '完全相同' : '近似'}</td><td class="n">${c.n_members}</td><td class="n">${c.n_departments}</td><td class="n">${c.n_years}</td><td>${esc(c.projects)}</td><td>${esc((c.sample ?? '').slice(0, 160))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const y = sc.yoy;
  const yoy = y
    ? `<h2>与上年度比较（${esc(y.prev_year)}年）</h2><table><tbody>
<tr><th>项目数</th><td class="n">${esc(y.n_projects)}</td><th>与上年匹配</th><td class="n">${esc(y.n_matched)}</td><th>指标集原样照搬</th><td class="n">${esc(y.n_sets_copied)}</td></tr>
<tr><th>目标提高</th><td class="n">${esc(y.n_raised)}</td><th>目标降低</th><td class="n">${esc(y.n_lowered)}</td><th>目标未变</th><td class="n">${esc(y.n_unchanged)}</td></tr>
<tr><th>新增指标</th><td class="n">${esc(y.n_added)}</td><th>删除指标</th><td class="n">${esc(y.n_dropped)}</td><th>预算（万元）</th><td class="n">${fmt(Number(y.budget_wan), 2)}</td></tr></tbody></table>`
    : '';
  const notes = sc.notes.length
    ? `<h2>提示（不扣分）</h2>${sc.notes.map((d) => `<h3><span class="sev-info">[提示]</span> ${esc(d.title_zh)} <small>（${esc(d.rule_id)}，${d.n_findings} 条）</small></h3>${findingsTable({ ...d, findings: d.findings.slice(0, 20) })}`).join('\n')}`
    : '';
  const w = sc.weights;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(sc.department)} ${esc(yearLabel(sc.year))} 绩效目标质量评分</title>
<style>${CSS}</style></head>
<body>
<p class="meta"><a href="index.html">← 全部部门排名</a></p>
<h1>${esc(sc.department)} · ${esc(yearLabel(sc.year))}</h1>
<p class="meta">地区：${esc(sc.region ?? '—')}${sc.names.length > 1 ? ` · 曾用名：${esc(sc.names.join(' → '))}` : ''} · ${esc(evidenceLine(sc))} · 检查批次 ${esc(sc.run_id)}</p>
<div class="score"><div><div class="big${sc.assessable ? '' : ' na'}" id="total">${scoreText(sc.total, 1)}</div><div class="meta">总分（满分100）</div></div>${sc.assessable ? `<div class="grade">${esc(sc.grade)}</div>` : ''}
<table style="width:auto"><thead><tr><th>维度</th><th>权重</th><th>得分</th><th>扣分</th><th>问题数</th></tr></thead><tbody>${dimRows}</tbody></table></div>
${naBox}
<div class="charts"><figure>${charts.dims}</figure><figure>${charts.trend}</figure><figure>${charts.categories}</figure></div>
<p class="meta">评分口径：依据财预〔2015〕88号的完整性、相关性、适当性、可行性四项审核要点，加上公开完整性。每条规则扣分 = 维度权重 × min(${w.per_rule_cap}, 严重程度系数 × 命中比例)；严重程度系数：严重 ${w.severity_factor.error}，警告 ${w.severity_factor.warning}，提示 ${w.severity_factor.info}。权重见 config/scorecard.yaml。</p>
<h2>文件</h2>
<table><thead><tr><th>文件</th><th>标题</th><th>部门</th><th>类型</th><th>格式</th><th>页数</th><th>状态</th></tr></thead><tbody>${docs}</tbody></table>
${deductionHtml}
${clones}
${yoy}
${notes}
<p class="meta" id="end">生成时间 ${esc(sc.generated_at)} · jixiao</p>
</body></html>
`;
}

export function renderScorecardMarkdown(sc: Scorecard): string {
  const out: string[] = [];
  out.push(`# ${sc.department} · ${yearLabel(sc.year)} 绩效目标质量评分\n`);
  out.push(`地区：${sc.region ?? '—'} · 总分 **${scoreText(sc.total, 1)}**${sc.assessable ? `（${sc.grade}）` : ''} · ${evidenceLine(sc)} · 检查批次 ${sc.run_id}\n`);
  if (!sc.assessable) out.push(`> **${NOT_ASSESSABLE}**：${sc.reason}。不可评价的维度不计分，本部门年度不参加排名。\n`);
  out.push('| 维度 | 权重 | 得分 | 扣分 | 问题数 | 说明 |\n|---|---:|---:|---:|---:|---|');
  for (const d of sc.dimensions) out.push(`| ${d.dimension} | ${d.weight} | ${scoreText(d.score, 2)} | ${fmt(d.deduction, 2)} | ${d.n_findings} | ${d.reason ?? ''} |`);
  out.push('\n## 文件\n');
  for (const d of sc.documents) out.push(`- ${base(d.source)}（${d.kind ?? ''}，${d.format ?? ''}，${d.pages ?? '—'}页，${d.status}）`);
  const md = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const d of sc.deductions) {
    out.push(`\n## [${SEVERITY_ZH[d.severity] ?? d.severity}] ${d.title_zh}（${d.rule_id}）\n`);
    out.push(`维度 ${d.dimension} · 扣分 ${fmt(d.deduction, 2)} · 命中 ${d.n_entities}/${d.n_eligible} · 依据 ${d.reference}\n`);
    out.push(`${(d.rationale_zh ?? d.rationale).trim()}\n`);
    const note = noTargetsNote(sc, d);
    if (note) out.push(`${note}\n`);
    out.push('| 位置 | 项目 | 指标 | 指标值 | 说明 |\n|---|---|---|---|---|');
    for (const c of d.findings) out.push(`| ${md(cellRef(c))} | ${md(c.project)} | ${md(c.level3)} | ${md(c.value_raw)} | ${md(c.message)} |`);
    if (d.n_findings > d.findings.length) out.push(`\n另有 ${d.n_findings - d.findings.length} 条未列出。`);
  }
  if (sc.notes.length) {
    out.push('\n## 提示（不扣分）\n');
    for (const d of sc.notes) out.push(`- ${d.title_zh}（${d.rule_id}）：${d.n_findings} 条`);
  }
  return out.join('\n') + '\n';
}

export async function renderIndexHtml(list: ScorecardSummary[], dims: string[], runId: string): Promise<string> {
  const ranked = list.filter((r) => r.total != null).sort((a, b) => b.total! - a.total! || a.department.localeCompare(b.department));
  const apart = list.filter((r) => r.total == null);
  const chart = ranked.length
    ? await chartSvg(
        {
          width: 560,
          height: Math.min(900, 18 * ranked.length + 20),
          title: '总分排名',
          mark: { type: 'bar', color: '#2563eb' },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: '-x', title: null },
            x: { field: 'total', type: 'quantitative', title: '总分', scale: { domain: [0, 100] } },
          },
        },
        ranked.slice(0, 50).map((r) => ({ label: `${r.department} ${yearLabel(r.year)}`, total: r.total })),
      )
    : '';
  const links = (r: ScorecardSummary) => `<a href="${esc(r.file)}.pdf">PDF</a> · <a href="${esc(r.file)}.json">JSON</a> · <a href="${esc(r.file)}.md">MD</a>`;
  const rows = ranked
    .map(
      (r, i) =>
        `<tr><td class="n">${i + 1}</td><td><a href="${esc(r.file)}.html">${esc(r.department)}</a></td><td>${esc(r.region ?? '')}</td><td>${esc(yearLabel(r.year))}</td><td class="n"><b>${fmt(r.total, 1)}</b></td><td>${esc(r.grade)}</td>${dims
          .map((d) => `<td class="n">${fmt(r.dims[d], 1)}</td>`)
          .join('')}<td>${links(r)}</td></tr>`,
    )
    .join('\n');
  const apartHtml = apart.length
    ? `<h2 id="not-assessable">${NOT_ASSESSABLE}（不参加排名）</h2>
<p class="meta">${apart.length} 个部门年度没有可评价的绩效目标，不给分、不排名；公开完整性等可评价的维度仍列出。</p>
<table><thead><tr><th>部门</th><th>地区</th><th>年度</th><th>原因</th>${dims.map((d) => `<th>${esc(d)}</th>`).join('')}<th>下载</th></tr></thead>
<tbody>
${apart
  .map(
    (r) =>
      `<tr class="na"><td><a href="${esc(r.file)}.html">${esc(r.department)}</a></td><td>${esc(r.region ?? '')}</td><td>${esc(yearLabel(r.year))}</td><td>${esc(r.reason)}</td>${dims
        .map((d) => `<td class="n">${r.dims[d] == null ? '—' : fmt(r.dims[d], 1)}</td>`)
        .join('')}<td>${links(r)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>部门绩效目标质量评分排名</title><style>${CSS}</style></head>
<body>
<h1>部门绩效目标质量评分排名</h1>
<p class="meta">${ranked.length} 个部门年度参加排名${apart.length ? `，${apart.length} 个不可评价（见表后）` : ''} · 检查批次 ${esc(runId)} · 评分依据财预〔2015〕88号四项审核要点加公开完整性</p>
<div class="charts"><figure>${chart}</figure></div>
<table><thead><tr><th>名次</th><th>部门</th><th>地区</th><th>年度</th><th>总分</th><th>等级</th>${dims.map((d) => `<th>${esc(d)}</th>`).join('')}<th>下载</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${apartHtml}
</body></html>
`;
}
