/**
 * Document metadata with its source: year, region, department and kind from the document's own
 * text first, then its file name, then what the crawl saw (link text, article title, column,
 * publication date), then the source's config — and `documents.*_source` says which.
 * Expected years are MANIFEST.tsv's (printed on the first page); regions were read from the first
 * page by hand (`pdftotext -f 1 -l 1 -layout`).
 */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocument } from '../extract/index.ts';
import { ingestBytes, ingestFile, processBytes } from '../pipeline/ingest.ts';
import { transformDocument } from '../transform/index.ts';
import { guessFromText, hintGuesses } from '../transform/meta-fallback.ts';
import { openWarehouse, rows, type Warehouse } from '../warehouse/db.ts';
import { CORPUS } from './helpers/paths.ts';

const PDF = join(CORPUS, 'pdf');
const manifest = readFileSync(join(PDF, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .map(([file, , year, title, , flags]) => ({ file, year: year ? Number(year) : null, title, flags: flags ?? '' }))
  .filter((m) => !m.flags.includes('SCANNED_NO_TEXT'));

/**
 * 北京's budget-table PDFs (预算01表 …) have no cover, so MANIFEST has no first-page year; the
 * year is printed once, as the subtitle （2026年度） of the 部门整体支出绩效目标表 on the last pages.
 */
const YEAR_PRINTED_LATER: Record<string, number> = {
  '002_北京/文化广电旅游体育局_2026年部门预算.pdf': 2026, // p. 171
  '002_北京/退役军人事务局_2026年部门预算.pdf': 2026, // p. 19
  '002_北京/政府办公厅_附件2：北京市信访办公室2026年度部门预算报表.pdf': 2026, // （2026年度）
  '002_北京/政府办公厅_附件2：北京市重大项目建设指挥部办公室2026年度部门预算报表.pdf': 2026, // （2026年度）
  '002_北京/医疗保障局_2026年部门预算.pdf': 2026, // （2026年度）
  '002_北京/公安局_附件2：北京市公安局2026年度部门预算报表.pdf': 2026, // （2026年度）
  '002_北京/国有资产监督管理委员会_2026年部门预算.pdf': 2026, // （2026年度）
  '002_北京/财政局_2026年部门预算.pdf': 2026, // （2026年度）
  '002_北京/水务局_2026年部门预算.pdf': 2026, // （2026年度）
};

/** Documents that print no year of their own (only inside project texts): the file name gives it. */
const YEAR_FROM_NAME: Record<string, number> = {
  '005_广州/政务服务和数据管理局_广州市政务服务和数据局2026年部门整体预算绩效目标申报表.pdf.pdf': 2026,
};

/** Region as printed at the head of the issuer's name; null where the document prints none. */
const REGION: Record<string, string | null> = {
  '001_上海/2026年上海市审计局_部门预算.pdf': '上海市',
  '001_上海/2026年上海市水务局_部门预算.pdf': '上海市',
  '002_北京/文化广电旅游体育局_2026年部门预算.pdf': '北京市',
  '002_北京/退役军人事务局_2026年部门预算.pdf': '北京市',
  '003_深圳/2026年深圳市审计局部门预算.pdf': '深圳市',
  '004_重庆/2026年重庆市气象局部门预算.pdf': '重庆市',
  // 广州市政务服务和数据管理局: 市政 in 市政务 is not 市政 (municipal works); before, region came out null.
  '005_广州/政务服务和数据管理局_广州市政务服务和数据局2026年部门整体预算绩效目标申报表.pdf.pdf': '广州市',
  '005_广州/2026年广州市发展和改革委员会部门预算.pdf': '广州市',
  '015_长沙/2026年长沙市公安局2025年部门预算.pdf': '长沙市',
  '015_长沙/教育局_2026年部门预算.pdf': null, // 长沙职业教育基地综合协调办公室: no region as such
  '017_福州/生态环境局_2026年度福州市鼓楼生态环境局单位预算.pdf.pdf': '福州市',
  '017_福州/2026年福州市商务局部门预算.pdf': '福州市',
  '020_西安/2026年西安市信访局部门预算.pdf': '西安市',
  '020_西安/医疗保障局_2026年部门预算.pdf': '西安市',
  '020_西安/卫生健康委员会_2026年部门预算.pdf': '西安市',
  '020_西安/应急管理局_2026年部门预算.pdf': '西安市',
  '022_佛山/2026年佛山市交通运输局部门预算.pdf': '佛山市',
  '025_烟台/2026年烟台市人力资源和社会保障局部门预算.pdf': '烟台市',
  '025_烟台/2026年烟台市统计局部门预算.pdf': '烟台市',
  // The files bundled for the recall counts (tests/expected/pdf-counts.json); checked with pdftotext.
  '002_北京/政府办公厅_附件2：北京市信访办公室2026年度部门预算报表.pdf': '北京市',
  '002_北京/政府办公厅_附件2：北京市重大项目建设指挥部办公室2026年度部门预算报表.pdf': '北京市',
  '002_北京/医疗保障局_2026年部门预算.pdf': '北京市',
  '002_北京/公安局_附件2：北京市公安局2026年度部门预算报表.pdf': '北京市',
  '002_北京/国有资产监督管理委员会_2026年部门预算.pdf': '北京市',
  '002_北京/财政局_2026年部门预算.pdf': '北京市',
  '002_北京/水务局_2026年部门预算.pdf': '北京市',
  '002_北京/2026年北京市商务局部门预算.pdf': '北京市',
  '006_苏州/2026年苏州市应急管理局部门预算.pdf': '苏州市',
  '008_杭州/2026年杭州市气象局部门预算.pdf': '杭州市',
  '014_无锡/2026年无锡市教育局部门预算.pdf': '无锡市',
  '017_福州/公安局交通警察局_2026年部门预算.pdf': '福州市',
  '017_福州/2026年福州市科技创新局部门预算.pdf': '福州市',
  '020_西安/2026年西安市财政局部门预算.pdf': '西安市',
  '020_西安/国有资产监督管理委员会_2026年部门预算.pdf': '西安市',
  '025_烟台/2026年烟台市大数据局部门预算.pdf': '烟台市',
  '077_珠海/财政局_2026年部门预算.pdf': '珠海市',
  '079_湖州/2026年湖州市卫生健康委员会部门预算.pdf': '湖州市',
};

describe('year and region of every text PDF in tests/corpus, from the document even where the file name disagrees', () => {
  it('every text PDF of the manifest has an expected region', () => {
    expect(manifest.map((m) => m.file).sort()).toEqual(Object.keys(REGION).sort());
  });
  it.each(manifest.map((m) => [m.file, m] as const))('%s', async (file, m) => {
    // As `jixiao ingest` does: the local file name is a hint (several say 2026 for a 2019 / 2022 document).
    const { doc } = await processBytes(readFileSync(join(PDF, file)), file, { timeoutMs: 300_000, hints: { filename: basename(file) } });
    const year = m.year ?? YEAR_PRINTED_LATER[file] ?? YEAR_FROM_NAME[file];
    expect(year).toBeTruthy();
    expect(doc.meta.year).toBe(year);
    expect(doc.meta.year_source).toBe(YEAR_FROM_NAME[file] ? 'filename' : 'document');
    expect(doc.meta.region).toBe(REGION[file]);
    expect(doc.meta.region_source).toBe(REGION[file] ? 'document' : null);
  }, 300_000); // a 171-page PDF on a loaded machine takes over the default 120 s
});

describe('fallbacks: file name, then link text, article title, column, config, publication date', () => {
  it('reads year, department, region and kind from names and titles', () => {
    expect(guessFromText('2026年长沙市公安局2025年部门预算.pdf')).toMatchObject({ year: 2025, department: '长沙市公安局', region: '长沙市', kind: '预算' });
    expect(guessFromText('公安局_附件2：北京市公安局2026年度部门预算报表.pdf')).toMatchObject({ year: 2026, department: '北京市公安局', region: '北京市' });
    expect(guessFromText('2026年北京市人民政府办公厅部门预算.pdf')).toMatchObject({ department: '北京市人民政府办公厅', region: '北京市' });
    expect(guessFromText('西安市卫生健康委员会2022年度部门决算')).toMatchObject({ year: 2022, kind: '决算' });
    expect(guessFromText('上海市2026年市级单位预算')).toMatchObject({ year: 2026, department: null, region: '上海市' });
    expect(guessFromText('部门预算')).toMatchObject({ year: null, department: null, region: null, kind: '预算' });
  });

  it('a publication date gives a 预算 its own year and a 决算 the year before; the order of sources is fixed', () => {
    const h = { filename: 'P020260115.pdf', linkText: '点击下载', articleTitle: '关于公开部门预算的说明', column: '部门预算', publishedAt: '2026-02-10', region: '北京市' };
    expect(hintGuesses(h, '预算').map((g) => g.source)).toEqual(['filename', 'link_text', 'article_title', 'column', 'config', 'published_at']);
    expect(hintGuesses(h, '预算').find((g) => g.source === 'published_at')?.guess.year).toBe(2026);
    expect(hintGuesses(h, '决算').find((g) => g.source === 'published_at')?.guess.year).toBe(2025);
  });

  it('a 预算01表 document whose only year is in the link text ends with that year, year_source = link_text', async () => {
    // 北京 退役军人事务局's budget tables without the last page (the only one that prints its year).
    const ex = await extractDocument(readFileSync(join(PDF, '002_北京/退役军人事务局_2026年部门预算.pdf')), { timeoutMs: 300_000 });
    const blocks = ex.blocks.filter((b) => (b.page ?? 0) < 19);
    expect(blocks.some((b) => b.type === 'text' && /20\d{2}\s*年/.test(b.text))).toBe(false);
    const hints = { filename: 'P020260123456789.pdf', linkText: '北京市退役军人事务局2026年部门预算', articleTitle: '北京市退役军人事务局部门预算公开', region: '北京市' };
    const doc = transformDocument({ ...ex, blocks }, { hints });
    // The department is named on that last page too (部门名称): here it comes from the link text, and its region with it.
    expect(doc.meta).toMatchObject({ year: 2026, year_source: 'link_text', department: '北京市退役军人事务局', department_source: 'link_text', region: '北京市', region_source: 'link_text' });
    // Without hints the year stays unknown rather than guessed.
    expect(transformDocument({ ...ex, blocks }).meta).toMatchObject({ year: null, year_source: null });
    // A year printed in the document is never overridden by a hint that disagrees.
    expect(transformDocument(ex, { hints: { ...hints, linkText: '北京市退役军人事务局2025年部门预算' } }).meta).toMatchObject({ year: 2026, year_source: 'document' });
  });

  describe('in the warehouse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-meta-'));
    let wh: Warehouse;
    beforeAll(async () => {
      wh = await openWarehouse(join(dir, 'w.duckdb'));
    });
    afterAll(() => wh.close());
    const budgetTable = ['预算01表 收支总表', '金额单位：万元', '项目\t预算数\t项目\t预算数', '一、一般公共预算拨款收入\t816.24\t一、一般公共服务支出\t12.50', '二、事业收入\t10.00\t二、教育支出\t3.67', ''].join('\n');

    it('ingestFile passes the file name: year, department and region from it, with their source', async () => {
      const p = join(dir, '北京市退役军人事务局_2026年部门预算.txt');
      writeFileSync(p, budgetTable);
      const r = await ingestFile(wh.conn, p);
      const [d] = await rows(wh.conn, `SELECT year, year_source, department, department_source, region, region_source, kind, kind_source FROM documents WHERE doc_id = '${r.doc_id}'`);
      expect(d).toEqual({ year: 2026, year_source: 'filename', department: '北京市退役军人事务局', department_source: 'filename', region: '北京市', region_source: 'filename', kind: '预算', kind_source: 'document' });
    });

    it('crawler hints: link text before article title and config; nothing known stays NULL with a NULL source', async () => {
      const bytes = Buffer.from(budgetTable.replace('816.24', '816.25'));
      const r = await ingestBytes(wh.conn, bytes, 'https://example.gov.cn/P0202601.txt', {
        hints: { filename: 'P0202601.txt', linkText: '2026年部门预算', articleTitle: '北京市医疗保障局2025年部门预算公开', region: '北京市' },
      });
      const [d] = await rows(wh.conn, `SELECT year, year_source, department, department_source, region, region_source FROM documents WHERE doc_id = '${r.doc_id}'`);
      expect(d).toEqual({ year: 2026, year_source: 'link_text', department: '北京市医疗保障局', department_source: 'article_title', region: '北京市', region_source: 'article_title' });
      const none = await ingestBytes(wh.conn, Buffer.from(budgetTable.replace('816.24', '816.26')), 'x.txt');
      const [n] = await rows(wh.conn, `SELECT year, year_source, region, region_source FROM documents WHERE doc_id = '${none.doc_id}'`);
      expect(n).toEqual({ year: null, year_source: null, region: null, region_source: null });
    });
  });
});
