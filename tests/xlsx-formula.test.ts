/**
 * Spreadsheet cells typed as formulas by mistake: an author who types `=19.36 万元` into a cell
 * gets #VALUE! on screen, but what they meant is the text after the `=`. The extractor keeps the
 * formula's own text when its result is an error; formulas with a real result read as displayed.
 * The workbook is generated here with exceljs (cached results as Excel would save them).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../extract/index.ts';
import type { TableBlock } from '../extract/types.ts';
import { transformDocument } from '../transform/index.ts';

async function workbook(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('项目绩效目标');
  ws.addRow(['1、办公设备购置项目绩效目标表']);
  ws.addRow(['项目名称', '办公设备购置', '预算金额（万元）', 19.36]);
  ws.addRow(['一级指标', '二级指标', '三级指标', '指标值']);
  ws.addRow(['产出指标', '数量指标', '购置台数', '']);
  ws.addRow(['成本指标', '经济成本指标', '购置成本', '']);
  ws.addRow(['效益指标', '社会效益指标', '办公保障率', '']);
  ws.addRow(['满意度指标', '服务对象满意度指标', '使用人员满意度', '']);
  ws.getCell('D4').value = { formula: 'B9+B10', result: 30 }; // a real formula: its result
  ws.getCell('D5').value = { formula: '19.36 万元', result: { error: '#VALUE!' } } as ExcelJS.CellValue; // typed text
  ws.getCell('D6').value = { formula: '100%', result: { error: '#NAME?' } } as ExcelJS.CellValue;
  ws.getCell('D7').value = { error: '#N/A' } as ExcelJS.CellValue; // an error with no formula stays as shown
  ws.getCell('B9').value = 10;
  ws.getCell('B10').value = 20;
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('XLSX formula cells', () => {
  it('an error result keeps the formula as typed (=19.36 万元); a real result reads as displayed', async () => {
    const ex = await extractDocument(await workbook(), { source: 'formula.xlsx' });
    const cells = ex.blocks.filter((b): b is TableBlock => b.type === 'table').flatMap((t) => t.rows.flatMap((r) => r.cells.map((c) => c.text)));
    expect(cells).toContain('=19.36 万元');
    expect(cells).toContain('=100%');
    expect(cells).toContain('30');
    expect(cells).toContain('#N/A');
    expect(cells).not.toContain('#VALUE!');
    expect(cells).not.toContain('#NAME?');
  });

  it('the typed text reaches the indicator as its printed value', async () => {
    const ex = await extractDocument(await workbook(), { source: 'formula.xlsx' });
    const doc = transformDocument(ex);
    const byName = new Map(doc.indicators.map((i) => [i.level3, i]));
    expect(byName.get('购置成本')?.value_raw).toBe('=19.36 万元');
    expect(byName.get('购置成本')).toMatchObject({ value_num: 19.36, unit: '万元' });
    expect(byName.get('办公保障率')).toMatchObject({ value_num: 100, unit: '%' });
    expect(byName.get('购置台数')?.value_raw).toBe('30');
  });
});
