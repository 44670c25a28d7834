/**
 * Word field instructions that leaked into text as plain characters.
 *
 * Word stores a table-of-contents entry as a field (`{ TC "1、xxx绩效目标表" \f C \l 1 }`); readers
 * that print field instructions (older converters, some DOC→text paths) leave them after the
 * title, e.g. `1、办公场所租赁费绩效目标表 TC 10、办公场所租赁费绩效目标表 \f C \l 1`. The DOCX
 * readers here skip `w:instrText`, so this only cleans what arrives as literal text: a TC / XE /
 * TOC / PAGEREF instruction with at least one backslash switch, at the end of a line.
 */
const FIELD_AT_END = /\s*\b(?:TC|XE|TOC|PAGEREF|SEQ)\s+(?:"[^"]*"|[^\\\n]*?)\s*(?:\\[a-zA-Z*]\s*(?:"[^"]*"|[^\s\\]+)?\s*)+$/;

export function stripFieldCodes(line: string): string {
  if (!line.includes('\\')) return line;
  return line.replace(FIELD_AT_END, '');
}
