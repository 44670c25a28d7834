/**
 * Office extractors on real and generated inputs: spans from HTML / DOCX / XLSX, charset evidence,
 * Word field codes, page marks, and every hostile input refused with a clear status.
 * Fixtures come from tests/fixtures/make-office-fixtures.ts (committed beside it).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../extract/detect.ts';
import { denseGrid } from '../extract/grid.ts';
import { extractDocument } from '../extract/index.ts';
import { stripFieldCodes } from '../extract/office/fieldcodes.ts';
import { extractHtml } from '../extract/office/html.ts';
import { convertWithSoffice, sofficeAvailable } from '../extract/office/libreoffice.ts';
import { ExtractError, type Block, type TableBlock } from '../extract/types.ts';
import { CORPUS } from './helpers/paths.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const FX = join(HERE, 'fixtures', 'office');
const fx = (name: string) => readFileSync(join(FX, name));
const tables = (blocks: Block[]) => blocks.filter((b): b is TableBlock => b.type === 'table');
const texts = (blocks: Block[]) => blocks.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text);

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ExtractError);
    return (e as ExtractError).reason;
  }
  return 'no error';
}

describe('HTML', () => {
  it('keeps rowspan / colspan as the contract spans and text between tables as blocks', async () => {
    const html = `<html><body><h3>1、测试项目绩效目标表</h3><table>
      <tr><td>一级指标</td><td>二级指标</td><td colspan="2">指标值</td></tr>
      <tr><td rowspan="2">产出指标</td><td>数量指标</td><td>≥</td><td>12</td></tr>
      <tr><td>质量指标<br>（抽查）</td><td>=</td><td>100%</td></tr></table><p>注：无</p></body></html>`;
    const d = await extractHtml(Buffer.from(html));
    expect(texts(d.blocks)).toEqual(['1、测试项目绩效目标表', '注：无']);
    const [t] = tables(d.blocks);
    expect(t.rows[0].cells[2]).toEqual({ text: '指标值', colSpan: 2 });
    expect(t.rows[1].cells[0]).toEqual({ text: '产出指标', rowSpan: 2 });
    expect(t.rows[2].cells.map((c) => c.text)).toEqual(['质量指标\n（抽查）', '=', '100%']);
    const g = denseGrid(t);
    expect(g[2][0]).toMatchObject({ text: '产出指标', spanned: true, originRow: 1 });
  });

  it('walks a layout table into the data table it frames', async () => {
    const html = `<table><tr><td>导航</td><td><p>部门预算</p><table><tr><td>项目</td><td>预算数</td></tr><tr><td>合计</td><td>10.00</td></tr></table></td></tr></table>`;
    const d = await extractHtml(Buffer.from(html));
    const ts = tables(d.blocks);
    expect(ts).toHaveLength(1);
    expect(ts[0].rows.map((r) => r.cells.map((c) => c.text))).toEqual([
      ['项目', '预算数'],
      ['合计', '10.00'],
    ]);
    expect(texts(d.blocks)).toEqual(['导航', '部门预算']);
  });

  it('decodes GBK bytes declared as gb2312, and bytes that contradict their declaration', async () => {
    const page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table><tr><td>项目名称</td><td>曹妃甸区≥95%</td></tr></table></body></html>';
    const gbk = iconv.encode(page, 'gbk');
    const d = await extractHtml(gbk);
    expect(d.meta?.encoding).toBe('gb18030');
    expect(tables(d.blocks)[0].rows[0].cells[1].text).toBe('曹妃甸区≥95%');
    // The same page saved as UTF-8 but still saying gb2312: the bytes win, with a warning.
    const utf = await extractHtml(Buffer.from(page));
    expect(tables(utf.blocks)[0].rows[0].cells[1].text).toBe('曹妃甸区≥95%');
    expect(utf.warnings.join()).toMatch(/disagrees/);
    // A Content-Type header is evidence too (GBK bytes, no meta).
    const bare = iconv.encode('<table><tr><td>单位：万元</td></tr></table>', 'gbk');
    const h = await extractHtml(bare, { contentType: 'text/html; charset=GBK' });
    expect(tables(h.blocks)[0].rows[0].cells[0].text).toBe('单位：万元');
  });

  it('reads a real disclosure page (温州 审计局): the 索引号 value spans three columns', async () => {
    const file = join(CORPUS, 'html', '028_温州', '审计局_2026年部门预算.html');
    const d = await extractDocument(readFileSync(file));
    expect(d.format).toBe('html');
    const t = tables(d.blocks).find((x) => x.rows[0]?.cells[0]?.text === '索引号');
    expect(t).toBeDefined();
    expect(t!.rows[0].cells[1]).toEqual({ text: '11330300002518815L/2026-1010497865', colSpan: 3 });
    expect(texts(d.blocks)).toContain('温州市审计局2026年部门预算');
  });

  it('reads every saved page of the corpus that is HTML by content, without an error', async () => {
    const manifest = readFileSync(join(CORPUS, 'html', 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
    expect(manifest.length).toBe(156);
    let html = 0;
    let withTables = 0;
    for (const line of manifest) {
      const bytes = readFileSync(join(CORPUS, 'html', line.split('\t')[0]));
      // One "page" is really a PDF and one a script: other extractors' business.
      if (detectFormat(bytes).format !== 'html') continue;
      const d = await extractHtml(bytes);
      html++;
      const n = tables(d.blocks).length;
      if (n) withTables++;
      const src = bytes.toString('utf8').replace(/<!--[\s\S]*?-->|<script[\s\S]*?<\/script>/gi, '');
      // A cell with text of its own in the source means a table comes out; no <td>/<th> at all, none.
      if (/<t[dh][^>]*>\s*[^<\s&]/i.test(src)) expect(n, line).toBeGreaterThan(0);
      if (!/<t[dh][\s>]/i.test(src)) expect(n, line).toBe(0);
    }
    expect(html).toBe(154);
    expect(withTables).toBeGreaterThanOrEqual(38);
  }, 300_000);
});

describe('DOCX', () => {
  it('takes a table from document.xml where mammoth misplaces merges (gridBefore / gridAfter)', async () => {
    const d = await extractDocument(fx('gridskip.docx'));
    expect(d.meta?.tableSource).toBe('mammoth+document.xml');
    const [t] = tables(d.blocks);
    const g = denseGrid(t).map((r) => r.map((c) => (c.spanned && c.originRow < 0 ? '' : c.text)));
    expect(g[0].slice(0, 3)).toEqual(['', '项目名称', '网格测试项目']);
    // 一级指标 restarts in row 3 and continues twice (vMerge with no value, then "continue").
    expect(t.rows[2].cells[0]).toEqual({ text: '产出指标', rowSpan: 3 });
    expect(denseGrid(t)[4].slice(0, 3).map((c) => c.text)).toEqual(['产出指标', '时效指标', '完成时间\n年底前']);
    // The TC field instruction after 说明 is a field, not text.
    expect(texts(d.blocks)).toEqual(['1、测试项目绩效目标表', '说明']);
  });

  it('seed 004 as DOCX: titles without TC field codes, tables over rendered page breaks', async () => {
    const bytes = fx('seed004.docx');
    // The fixture really has the TC fields (as w:instrText) and Word's page marks.
    expect(bytes.length).toBeGreaterThan(0);
    const d = await extractDocument(bytes);
    const all = texts(d.blocks).join('\n');
    expect(all).toContain('1、办公场所租赁费绩效目标表');
    expect(all).not.toMatch(/\bTC\b|\\f [A-Z]|\\l \d/);
    const ts = tables(d.blocks);
    expect(ts).toHaveLength(8);
    expect(d.pages).toBeGreaterThan(3);
    const across = ts.filter((t) => (t.pageEnd ?? 0) > (t.page ?? 0));
    expect(across.length).toBeGreaterThan(0);
    const t = across[0];
    const pages = t.rows.map((r) => r.page);
    expect(pages[0]).toBe(t.page);
    expect(pages[pages.length - 1]).toBe(t.pageEnd);
    // 一级指标 spans its indicator rows (a vMerge in the file).
    expect(ts[0].rows.some((r) => r.cells.some((c) => c.text === '产出指标' && (c.rowSpan ?? 1) > 1))).toBe(true);
  });

  it('strips TC field instructions that arrive as literal text', () => {
    expect(stripFieldCodes('1、办公场所租赁费绩效目标表 TC 10、办公场所租赁费绩效目标表 \\f C \\l 1 ')).toBe('1、办公场所租赁费绩效目标表');
    expect(stripFieldCodes(' TC 总体绩效目标 \\f A \\l 1 ')).toBe('');
    expect(stripFieldCodes('C:\\data 与 TC 无关')).toBe('C:\\data 与 TC 无关');
  });
});

describe('XLSX', () => {
  it('seed 004 as XLSX: merged ranges become spans, numbers read as displayed, sheet names as text', async () => {
    const d = await extractDocument(fx('seed004.xlsx'));
    expect(d.format).toBe('xlsx');
    const ts = tables(d.blocks);
    expect(ts).toHaveLength(8);
    const t = ts[0];
    const g = denseGrid(t);
    // 预算数 23.85 stored as a number with format 0.00; 12月底 plan 1.00 likewise.
    const flat = g.flat().map((c) => c.text);
    expect(flat).toContain('23.85');
    expect(flat).toContain('1.00');
    expect(t.rows.some((r) => r.cells.some((c) => c.text === '产出指标' && (c.rowSpan ?? 1) > 1))).toBe(true);
    expect(texts(d.blocks)).toContain('2、劳务派遣服务费及临时工资绩效目标表');
    expect(d.meta?.sheets).toHaveLength(8);
  });
});

describe('hostile input', () => {
  it('refuses zip bombs: from the central directory before inflating, or as soon as an entry outgrows its declared size', async () => {
    const t0 = performance.now();
    expect(await reason(extractDocument(fx('bomb.docx')))).toBe('unsafe'); // 128 MiB at 1000:1
    expect(await reason(extractDocument(fx('bomb.xlsx')))).toBe('unsafe'); // 512 MiB declared
    // Headers that lie (4 KiB declared, 256 MiB inside): stopped while inflating, a few KiB in.
    expect(await reason(extractDocument(fx('lying-bomb.docx')))).toBe('unsafe');
    // Far below the time (and memory) inflating 896 MiB would take.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('refuses XML with a DOCTYPE / entities (XXE, billion laughs) and merges covering the whole sheet', async () => {
    expect(await reason(extractDocument(fx('xxe.docx')))).toBe('unsafe');
    expect(await reason(extractDocument(fx('billion-laughs.xlsx')))).toBe('unsafe');
    expect(await reason(extractDocument(fx('huge-merge.xlsx')))).toBe('unsafe');
  });

  it('routes a PDF named .docx by its content, and a password-protected XLSX to "encrypted"', async () => {
    expect(detectFormat(fx('renamed-pdf.docx')).format).toBe('pdf');
    const enc = fx('encrypted.xlsx');
    expect(detectFormat(enc).evidence).toMatch(/EncryptedPackage/);
    expect(await reason(extractDocument(enc))).toBe('encrypted');
  });

  it('reports a truncated DOCX as corrupt', async () => {
    const b = fx('seed004.docx');
    expect(await reason(extractDocument(b.subarray(0, Math.floor(b.length / 2))))).toMatch(/corrupt|unsupported_format/);
  });

  it('kills a LibreOffice conversion that hangs at its budget, with its whole process group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-fake-soffice-'));
    const pidFile = join(dir, 'child.pid');
    const fake = join(dir, 'soffice');
    // Like soffice: a launcher that forks the real worker and waits for it.
    writeFileSync(fake, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`);
    chmodSync(fake, 0o755);
    const t0 = performance.now();
    const r = await reason(convertWithSoffice(Buffer.from('x'), 'doc', 'docx', { binary: fake, timeoutMs: 1500 }));
    const ms = performance.now() - t0;
    expect(r).toBe('timeout');
    expect(ms).toBeLessThan(10_000);
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    // Gone, or a zombie waiting for a reaper (state Z): either way no longer running.
    const stat = existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8') : '';
    const state = stat ? stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('stops an in-process extraction at its budget and recovers for the next document', async () => {
    const t0 = performance.now();
    expect(await reason(extractDocument(fx('seed003.docx'), { timeoutMs: 1 }))).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(5_000);
    const d = await extractDocument(fx('seed004.docx'));
    expect(tables(d.blocks)).toHaveLength(8);
  });

  it('reports a conversion that exits 0 without writing its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-fake-soffice-'));
    const fake = join(dir, 'soffice');
    writeFileSync(fake, '#!/bin/sh\necho "Error: source file could not be loaded" >&2\nexit 0\n');
    chmodSync(fake, 0o755);
    expect(await reason(convertWithSoffice(Buffer.from('x'), 'doc', 'docx', { binary: fake, timeoutMs: 10_000 }))).toBe('conversion_failed');
  });

  it.runIf(sofficeAvailable())('converts a real DOC with LibreOffice and reads it like the DOCX', async () => {
    const d = await extractDocument(fx('seed004.doc'));
    expect(d.format).toBe('doc');
    expect(d.extractor).toMatch(/^soffice@1\+office-docx@/);
    expect(tables(d.blocks)).toHaveLength(8);
    expect(texts(d.blocks).join('\n')).not.toMatch(/\\f [A-Z]/);
  });
});
