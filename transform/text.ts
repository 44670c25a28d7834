/** Cell text normalization shared by every transform. */

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/**
 * Join the lines of one cell as the printed text reads: Chinese wraps have no space, so lines
 * are concatenated; a space is kept only between two Latin letters / digits words.
 */
export function joinLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length);
  let out = '';
  for (const l of lines) {
    if (!out) out = l;
    else {
      const a = out[out.length - 1];
      const b = l[0];
      out += /[A-Za-z]/.test(a) && /[A-Za-z]/.test(b) && !CJK.test(a) && !CJK.test(b) ? ' ' + l : l;
    }
  }
  // Spaces between two Chinese characters are letter-spacing from a PDF conversion, not text.
  out = out.replace(/([\u3400-\u9fff（）：，、“”‘’《》【】「」。；！？])[ \t\u3000\u00a0]+(?=[\u3400-\u9fff（）：，、“”‘’《》【】「」。；！？])/g, '$1');
  return out.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
}

/** Cell text as stored: lines joined, whitespace trimmed; null when nothing is left. */
export function cellText(text: string | null | undefined): string | null {
  if (text == null) return null;
  const t = joinLines(text);
  return t.length ? t : null;
}

/** Key for matching headers and labels: no whitespace, full-width brackets/colons folded. */
export function key(text: string | null | undefined): string {
  return (text ?? '')
    .replace(/[\s\u3000\u00a0]+/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .replace(/：/g, ':')
    .replace(/［/g, '[')
    .replace(/］/g, ']');
}

/** Lines of a cell, trimmed, empty lines dropped (used where a line break is meaningful). */
export function cellLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
