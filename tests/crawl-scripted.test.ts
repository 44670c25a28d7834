/**
 * Listings built by script (crawlers/scripted.ts): the data endpoints a page's scripts name — on
 * saved real pages (Hanweb jpaas unitbuild at 宁波 / 济南, $.ajax POSTs at 苏州) and in the usual
 * shapes — and the records of JSON list APIs with their paging.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHtml } from '../crawlers/crawler.ts';
import { buildsDom, linksFromJson, looksScripted, scriptEndpoints } from '../crawlers/scripted.ts';
import { discoverLinks } from '../crawlers/discover.ts';
import { CORPUS } from './helpers/paths.ts';

const page = (f: string) => decodeHtml(readFileSync(join(CORPUS, 'html', f)), null).text;

describe('data endpoints named by scripts', () => {
  it('Hanweb jpaas unitbuild.js: the url attribute with the queryData parameters (济南 财政局, 宁波 财政局)', () => {
    const jn = scriptEndpoints(page('018_济南/财政局_2026年部门预算.html'), 'http://jnczj.jinan.gov.cn/col/col1/index.html').filter((e) => e.via === 'hanweb-unitbuild');
    expect(jn.length).toBeGreaterThanOrEqual(2);
    const xxgk = jn.map((e) => new URL(e.url)).find((u) => u.searchParams.get('unitType') === 'ajax-xxgk')!;
    expect(xxgk.pathname).toBe('/api-gateway/jpaas-publish-server/front/page/build/unit');
    expect(Object.fromEntries(xxgk.searchParams)).toMatchObject({ webId: '15', pageType: 'column', tagId: '组配分类list' });
    const nb = scriptEndpoints(page('011_宁波/财政局_2026年部门预算.html'), 'http://czj.ningbo.gov.cn/a.html');
    expect(nb.some((e) => new URL(e.url).searchParams.get('webId') === '3504')).toBe(true);
  });

  it('fetch / $.ajax / $.getJSON / xhr, URLs built from literals, page variables and the page number', () => {
    const html = `<ul id="l"></ul><script>
var channelId = 'c77'; var site = "/api";
fetch(site + '/list?channel=' + channelId + '&pageNo=' + pageNo).then(r => r.json());
$.ajax({ type: 'POST', url: '/front/search.do?size=' + 10, data: {} });
$.getJSON('/data/bmys.json');
var x = new XMLHttpRequest(); x.open('GET', '/xml/list.xml');
$.get(unknownBase + '/nope');
$('#l').html(items.join(''));</script>`;
    const eps = scriptEndpoints(html, 'http://x.gov.cn/col/a.html');
    expect(eps.map((e) => `${e.method} ${e.url}`).sort()).toEqual([
      'GET http://x.gov.cn/api/list?channel=c77&pageNo=1',
      'GET http://x.gov.cn/data/bmys.json',
      'GET http://x.gov.cn/xml/list.xml',
      'POST http://x.gov.cn/front/search.do?size=10',
    ]);
    expect(buildsDom(html)).toBe(true);
    expect(looksScripted(html, discoverLinks(html, 'http://x.gov.cn/col/a.html', 'listing'))).toBe(true);
    // A listing with articles is not "scripted", whatever its scripts do.
    const withArticles = `${html}<a href="/art/2026/2/1/art_1_2.html">某局2026年部门预算</a>`;
    expect(looksScripted(withArticles, discoverLinks(withArticles, 'http://x.gov.cn/col/a.html', 'listing'))).toBe(false);
  });
});

describe('JSON list APIs', () => {
  it('records with url / title / date at any depth, attachments by extension, pages from pageCount', () => {
    const json = JSON.stringify({ code: 0, data: { pageCount: 3, list: [{ title: '某局2026年部门预算', link: '/art/1.html', pubDate: '2026-02-12 10:00' }, { name: '附表', fileUrl: 'files/a.pdf' }, { title: 'no url' }] } });
    const links = linksFromJson(json, 'http://x.gov.cn/api/list?page=1', 'http://x.gov.cn/col/index.html');
    expect(links.filter((l) => l.kind !== 'listing')).toEqual([
      { url: 'http://x.gov.cn/art/1.html', method: 'GET', kind: 'detail', anchor: '某局2026年部门预算', via: 'json', date: '2026-02-12' },
      { url: 'http://x.gov.cn/col/files/a.pdf', method: 'GET', kind: 'attachment', anchor: '附表', via: 'json' },
    ]);
    expect(links.filter((l) => l.kind === 'listing').map((l) => l.url)).toEqual(['http://x.gov.cn/api/list?page=2', 'http://x.gov.cn/api/list?page=3']);
  });

  it('JSONP, HTML fragments inside JSON, total / pageSize paging; not JSON gives nothing', () => {
    const jsonp = `cb(${JSON.stringify({ total: 25, pageSize: 10, html: '<li><a href="/a/2.html">2025年部门决算</a> 2025-09-01</li>' })});`;
    const links = linksFromJson(jsonp, 'http://x.gov.cn/q?pageNo=1&cb=cb');
    expect(links.find((l) => l.kind === 'detail')).toMatchObject({ url: 'http://x.gov.cn/a/2.html', anchor: '2025年部门决算', date: '2025-09-01' });
    expect(links.filter((l) => l.kind === 'listing').length).toBe(2);
    expect(linksFromJson('<html>not json</html>', 'http://x.gov.cn/q')).toEqual([]);
  });
});
