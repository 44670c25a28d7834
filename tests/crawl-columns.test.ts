/**
 * From entry pages to budget columns (crawlers/columns.ts) on saved pages of real sites: the
 * columns their navigation links to are found with a reason, navigation that is not about
 * budgets is not, and a source's pin / exclude / discover settings are obeyed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHtml } from '../crawlers/crawler.ts';
import { classifyColumnLink, DEFAULT_COLUMN_RULES, findColumns, withColumns } from '../crawlers/columns.ts';
import { discoverLinks } from '../crawlers/discover.ts';
import { parseSources, resolveSource } from '../crawlers/config.ts';
import { CORPUS } from './helpers/paths.ts';

const page = (f: string) => decodeHtml(readFileSync(join(CORPUS, 'html', f)), null).text;
const cols = (f: string, url: string, hubs = true) => findColumns(page(f), url, DEFAULT_COLUMN_RULES, hubs);

describe('budget columns on real pages', () => {
  it('温州 卫健委: the 部门预算 columns by text, the 政务公开 hubs apart', () => {
    const c = cols('028_温州/卫生健康委员会_2026年部门预算.html', 'https://wjw.wenzhou.gov.cn/art/2026/2/1/art_1.html');
    expect(c.filter((x) => x.role === 'column').map((x) => [x.anchor, new URL(x.url).pathname])).toEqual([
      ['部门预算', '/col/col1229249208/index.html'],
      ['市级部门预算', '/zwgk/zdlyxxgk/czxx/bmys/2026n/sjbmys/index.html'],
    ]);
    expect(c.find((x) => x.anchor === '部门预算')!.reason).toBe('text "部门预算" ~ 部门预算');
    expect(c.filter((x) => x.role === 'hub').map((x) => x.anchor)).toEqual(['政务公开', '重点领域信息公开', '财政信息']);
  });

  it('苏州 信访局: image links found by their path (ysgk, jsgk); 西安: 部门财政预决算 by text and path', () => {
    const sz = cols('006_苏州/信访局_2026年部门预算.html', 'https://www.suzhou.gov.cn/szxfj/a/b.shtml').filter((x) => x.role === 'column');
    expect(sz.map((x) => new URL(x.url).pathname)).toEqual(['/szxfj/ysgk/nav_list.shtml', '/szxfj/jsgk/nav_list.shtml']);
    expect(sz[0].reason).toBe('path /szxfj/ysgk/nav_list.shtml ~ ysgk');
    const xa = cols('020_西安/城市管理和综合执法局_2026年部门预算.html', 'http://cgj.xa.gov.cn/gk/a/1.html').filter((x) => x.role === 'column');
    expect(xa[0]).toMatchObject({ anchor: '部门财政预决算', url: 'http://cgj.xa.gov.cn/gk/czzj/bmczyjs/1.html' });
  });

  it('no hubs away from the entry page; article links and unrelated navigation are never columns', () => {
    const c = cols('014_无锡/司法局_2026年部门预算.html', 'https://sfj.wuxi.gov.cn/a/b.shtml', false);
    // 无锡 lists its articles as [部门预决算] + dated /doc/2025/11/04/4676352.shtml links: articles, not columns.
    expect(c).toEqual([]);
    const r = DEFAULT_COLUMN_RULES;
    expect(classifyColumnLink('http://x.gov.cn/zfcg/', '政府采购预算', r, true)).toBeNull();
    expect(classifyColumnLink('http://x.gov.cn/xxgk/ldfg/index.html', '领导分工', r, true)).toBeNull();
    expect(classifyColumnLink('http://x.gov.cn/list/', '市教育局2026年部门预算公开', r, true)).toBeNull();
    expect(classifyColumnLink('http://x.gov.cn/bmys/2026/', '2026年部门预算', r, true)).toMatchObject({ role: 'column' });
  });

  it('pin / exclude / discover from the source config', () => {
    const f = parseSources(`sources:
  - name: a
    start_urls: [http://x.gov.cn/]
    columns: { discover: false, pin: ['/special/list\\.html$'], exclude: ['/czys/'] }
`);
    const s = resolveSource(f.sources[0]);
    expect(classifyColumnLink('http://x.gov.cn/special/list.html', '专题', s.columns, true)).toMatchObject({ role: 'column', reason: expect.stringMatching(/^pinned by .*special.*list/) });
    expect(classifyColumnLink('http://x.gov.cn/bmys/', '部门预算', s.columns, true)).toBeNull();
    const on = { ...s.columns, discover: true };
    expect(classifyColumnLink('http://x.gov.cn/czys/', '财政预算', on, true)).toBeNull();
    expect(() => parseSources('sources:\n  - name: a\n    start_urls: [http://x.gov.cn/]\n    columns: { pinn: [] }\n')).toThrow(/columns: Unrecognized key/);
  });

  it('a column beats its classification as an article; pagination stays pagination', () => {
    const html = `<title>长沙市财政局</title><a href="/czys/">部门预算</a><a href="index_1.html">2</a><a href="/">首页</a>`;
    const links = discoverLinks(html, 'http://czj.cs.gov.cn/index.html', 'listing');
    expect(links.find((l) => l.url.endsWith('/czys/'))?.kind).toBe('detail');
    const merged = withColumns(links, findColumns(html, 'http://czj.cs.gov.cn/index.html', DEFAULT_COLUMN_RULES, true), 'http://czj.cs.gov.cn/index.html');
    expect(merged.find((l) => l.url.endsWith('/czys/'))).toMatchObject({ kind: 'listing', via: 'column: text "部门预算" ~ 部门预算, path ~ czys' });
    expect(merged.find((l) => l.url.endsWith('index_1.html'))?.via).toBe('page-link');
  });
});
