/**
 * Properties over the crawler's parsers, fed by fast-check (structured strings) and by mutations
 * of real inputs (the saved pages of tests/corpus/html): robots.txt, link discovery, page titles,
 * Content-Disposition and URL file names, charset decoding, and the body checks of an attachment.
 * Each must return a well-formed answer for any input, never throw, and stay fast.
 */
import fc from 'fast-check';
import robotsParser from 'robots-parser';
import { discoverPageLinks, pageTitle } from '../../crawlers/discover.ts';
import { filenameFromDisposition, filenameFromUrl } from '../../crawlers/filename.ts';
import { decodeHtml } from '../../crawlers/crawler.ts';
import { checkAttachmentBody } from '../../crawlers/body-check.ts';
import { decodeText } from '../../extract/decode.ts';
import { applyBytes, byteMutation } from './mutate.ts';

/** Any single call slower than this counts as a hang (generous: on a loaded shared machine a GC pause or a descheduled process costs seconds; 2 s gave one false alarm). */
export const PARSER_HANG_MS = 10_000;

const timed = <T>(name: string, f: () => T): T => {
  const t = performance.now();
  const r = f();
  const ms = performance.now() - t;
  if (ms > PARSER_HANG_MS) throw new Error(`${name} took ${Math.round(ms)} ms`);
  return r;
};

const LABELS = ['utf-8', 'UTF8', 'gbk', 'GB2312', 'gb18030', 'big5', 'utf-16le', 'latin1', 'x-unknown', '', '"utf-8"', 'shift_jis'];
const label = fc.oneof(fc.constantFrom(...LABELS), fc.string({ maxLength: 12 }));
const bytes = fc.uint8Array({ maxLength: 4096 });
const prefixed = fc.tuple(fc.constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0x25, 0x50, 0x44, 0x46, 0x2d], [0x50, 0x4b, 0x03, 0x04], [0x3c, 0x68, 0x74, 0x6d, 0x6c], []), bytes).map(([p, b]) => Uint8Array.from([...p, ...b]));

const ROBOTS_LINES = ['User-agent: *', 'User-agent: jixiao', 'Disallow: /', 'Disallow: /private/', 'Allow: /*.pdf$', 'Crawl-delay: 5', 'Crawl-delay: abc', 'Sitemap: http://x/s.xml', '# comment', 'Disallow: /*?*', 'Host: a.gov.cn', ''];
const robotsText = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...ROBOTS_LINES), fc.string({ maxLength: 60 })), { maxLength: 40 }).map((l) => l.join('\n')),
  fc.string({ unit: 'binary', maxLength: 2000 }),
);

const dispositionParam = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => `filename="${s}"`),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `filename=${s}`),
  fc.tuple(fc.constantFrom('UTF-8', 'utf-8', 'GBK', 'gb2312', 'bogus', ''), fc.string({ maxLength: 40 })).map(([cs, s]) => `filename*=${cs}''${s}`),
  fc.uint8Array({ maxLength: 30 }).map((b) => `filename="${Buffer.from(b).toString('latin1')}"`),
  fc.uint8Array({ maxLength: 30 }).map((b) => `filename*=UTF-8''${[...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')}`),
);
const disposition = fc.oneof(
  fc.tuple(fc.constantFrom('attachment', 'inline', '', 'form-data'), fc.array(dispositionParam, { maxLength: 4 })).map(([t, p]) => [t, ...p].join('; ')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

const urlish = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ maxLength: 200 }), fc.string({ maxLength: 80 }).map((s) => `http://a.gov.cn/${s}`));

export interface ParserProperty {
  name: string;
  property: fc.IPropertyWithHooks<unknown[]> | fc.IProperty<unknown[]>;
}

/** The properties, given real HTML pages to mutate. */
export function parserProperties(pages: Uint8Array[]): ParserProperty[] {
  const page = fc.tuple(fc.nat({ max: pages.length - 1 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([i, ms]) => ms.reduce((b, m) => applyBytes(b, m), pages[i]));
  const htmlText = fc.oneof(
    { weight: 3, arbitrary: page.map((b) => decodeText(b).text) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom('<a href="', '">', '</a>', '<base href="', '<iframe src="', 'javascript:', "window.open('", '.pdf', '附件', '下一页', '<script>', '</script>', 'createPageHTML(', '<', '>', '"', "'", '../', '?id=', '%', '&#x', '\u0000'), { maxLength: 200 }).map((a) => a.join('')) },
  ) as fc.Arbitrary<string>;
  const pageUrl = fc.constantFrom('http://www.a.gov.cn/col/list.html', 'https://b.gov.cn/art/2026/1/1/art_1.html', 'http://127.0.0.1:8080/');
  const kind = fc.constantFrom('listing' as const, 'detail' as const);

  const wellFormedLinks = (links: ReturnType<typeof discoverPageLinks>) => {
    for (const l of links) {
      const u = new URL(l.url); // throws if not absolute
      if (!/^https?:$/.test(u.protocol)) throw new Error(`non-http link ${l.url}`);
      if (!['listing', 'detail', 'attachment'].includes(l.kind)) throw new Error(`bad kind ${l.kind}`);
    }
  };

  return [
    {
      name: 'robots.txt',
      property: fc.property(robotsText, fc.string({ maxLength: 60 }), (txt, path) => {
        const r = timed('robots', () => robotsParser('http://a.gov.cn/robots.txt', txt));
        const allowed = r.isAllowed(`http://a.gov.cn/${path}`, 'jixiao');
        const delay = r.getCrawlDelay('jixiao');
        if (allowed !== undefined && typeof allowed !== 'boolean') throw new Error('isAllowed not boolean');
        if (delay !== undefined && typeof delay !== 'number') throw new Error('crawl delay not a number');
      }),
    },
    {
      name: 'discover links',
      property: fc.property(htmlText, pageUrl, kind, (html, url, k) => {
        wellFormedLinks(timed('discoverPageLinks', () => discoverPageLinks(html, url, k)));
        const t = timed('pageTitle', () => pageTitle(html));
        if (t !== null && typeof t !== 'string') throw new Error('title not a string');
      }),
    },
    {
      name: 'Content-Disposition',
      property: fc.property(disposition, (h) => {
        const f = timed('filenameFromDisposition', () => filenameFromDisposition(h));
        if (f !== null && typeof f !== 'string') throw new Error('file name not a string');
      }),
    },
    {
      name: 'URL file name',
      property: fc.property(urlish, (u) => {
        const f = timed('filenameFromUrl', () => filenameFromUrl(u));
        if (f !== null && typeof f !== 'string') throw new Error('file name not a string');
      }),
    },
    {
      name: 'charset decoding',
      property: fc.property(fc.oneof(bytes, prefixed, page), label, fc.option(fc.string({ maxLength: 40 })), (b, l, ct) => {
        const d = timed('decodeText', () => decodeText(b, l));
        if (typeof d.text !== 'string' || !d.encoding) throw new Error('decodeText: no text or encoding');
        const h = timed('decodeHtml', () => decodeHtml(b, ct ? `text/html; charset=${ct}` : null));
        if (typeof h.text !== 'string' || !h.encoding) throw new Error('decodeHtml: no text or encoding');
      }),
    },
    {
      name: 'attachment body check',
      property: fc.property(fc.oneof(prefixed, page), urlish, fc.option(fc.string({ maxLength: 40 })), (b, u, name) => {
        const r = timed('checkAttachmentBody', () => checkAttachmentBody(b, u, name as string | null));
        if (r !== null && !(typeof r.reason === 'string' && typeof r.message === 'string')) throw new Error('bad verdict');
      }),
    },
  ];
}
