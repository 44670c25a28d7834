/**
 * A project head's goals and spending plan: numbered goals split out of one cell, and what the four
 * plan numbers are (cumulative percentages, amounts, ratios).
 */
import type { PlanUnit } from './types.ts';
import { headRole } from './headers.ts';
import { cellLines, joinLines } from './text.ts';

/** Goal text without list numbering or a 目标内容: label. */
function cleanGoal(s: string): string {
  return s
    .replace(/^(?:目标内容|内容|目标\s*\d*)\s*[:：]\s*/, '')
    .replace(/^(?:[（(]?\d{1,2}[)）、.．]|[一二三四五六七八九十]+、)\s*/, '')
    .trim();
}

/** A cell may hold several numbered goals on separate lines: `1、…\n2、…`. */
export function splitGoals(raw: string): string[] {
  // `目标1：…目标2：…` inline in one cell.
  const inline = joinLines(raw);
  if ((inline.match(/目标\s*\d+\s*[:：]/g) ?? []).length >= 2)
    return inline
      .split(/(?=目标\s*\d+\s*[:：])/)
      .map((g) => cleanGoal(g))
      .filter(Boolean);
  const lines = cellLines(raw);
  const numbered = /^(?:[（(]?\d{1,2}[)）、.．]|[一二三四五六七八九十]+、)/;
  if (lines.length > 1 && lines.filter((l) => numbered.test(l)).length >= 2) {
    const out: string[] = [];
    for (const l of lines) {
      if (numbered.test(l) || !out.length) out.push(l);
      else out[out.length - 1] += l;
    }
    return out.map((g) => cleanGoal(joinLines(g))).filter(Boolean);
  }
  const g = cleanGoal(joinLines(raw));
  return g ? [g] : [];
}

export const isGoalLabel = (k: string) => /^目标\d*$/.test(k) || (k.length <= 8 && headRole(k) === 'goals') || /^(?:实施期|年度|中长期)?总(?:体)?目标$/.test(k);

/**
 * Decide what the four plan numbers are: cumulative percentages (ending at 100), amounts in 万元
 * (ending at the budget), ratios (ending at 1), or unknown.
 */
export function detectPlanUnit(values: (number | null)[], raw: (string | null)[], budget: number | null, labels: string[]): PlanUnit {
  const nums = values.filter((v): v is number => v != null);
  if (!nums.length) return 'empty';
  if (raw.some((r) => r != null && /[%％]/.test(r))) return 'percent';
  const last = nums[nums.length - 1];
  const max = Math.max(...nums);
  if (max === 0) return 'unknown';
  const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.011, Math.abs(b) * 0.001);
  if (budget != null && budget > 0 && !close(budget, 100) && close(max, budget)) return 'amount';
  if (close(max, 100) || (max <= 100 && labels.some((l) => /%|进度/.test(l)) && max > 1)) return 'percent';
  if (max <= 1 && close(last, 1)) return 'ratio';
  if (budget != null && max <= budget * 1.0001) return 'amount';
  return 'unknown';
}
