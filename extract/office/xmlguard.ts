/**
 * Refuse XML that could make a parser fetch or expand: a DOCTYPE (external DTD, external entities
 * — XXE) or entity declarations (billion laughs). OOXML parts never need either, so their mere
 * presence is enough; the check is a byte scan, nothing is parsed.
 */
import { ExtractError } from '../types.ts';

const MARKERS = ['<!DOCTYPE', '<!ENTITY'];

function findMarker(buf: Buffer): string | null {
  for (const m of MARKERS) {
    for (const enc of ['utf8', 'utf16le'] as const) {
      const needle = Buffer.from(m, enc);
      const lower = Buffer.from(m.toLowerCase(), enc);
      if (buf.includes(needle) || buf.includes(lower)) return m;
    }
  }
  return null;
}

/** True for the parts of an OOXML package that are XML. */
export const isXmlPart = (name: string) => /\.(xml|rels|vml)$/i.test(name);

/** Throw ExtractError('unsafe') when any XML part declares a DOCTYPE or entities. */
export function assertSafeXmlParts(files: Map<string, Buffer>): void {
  for (const [name, buf] of files) {
    if (!isXmlPart(name)) continue;
    const m = findMarker(buf);
    if (m) throw new ExtractError('unsafe', `XML part ${name} contains ${m} (external entities / entity expansion are refused)`);
  }
}

/** Same check for one XML or HTML string that is about to be parsed in XML mode. */
export function assertSafeXml(name: string, buf: Buffer): void {
  const m = findMarker(buf);
  if (m) throw new ExtractError('unsafe', `XML ${name} contains ${m} (external entities / entity expansion are refused)`);
}
