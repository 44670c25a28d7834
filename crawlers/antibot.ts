/**
 * Anti-bot challenge pages that Chinese government sites put in front of crawlers. They are
 * detected and reported per host — never solved or bypassed.
 *
 *  - 瑞数 (Riversecurity): HTTP 412 (sometimes 202/400) with an obfuscated script defining `$_ts`.
 *  - 加速乐 (Jiasule, Knownsec): HTTP 521 with a script that sets `__jsl_clearance` in document.cookie.
 *  - WZWS (安恒 / 网站卫士): a page or redirect carrying `wzwschallenge` / `wzws_cid`.
 */
export type Challenge = 'antibot_ruishu' | 'antibot_jiasule' | 'antibot_wzws';

export function detectChallenge(status: number, headers: Record<string, string | string[] | undefined>, body: Uint8Array): Challenge | null {
  const head = Buffer.from(body.subarray(0, 64 * 1024)).toString('latin1');
  const cookies = [headers['set-cookie'] ?? []].flat().join('\n');
  const location = String(headers['location'] ?? '');
  if ((status === 412 || status === 202 || status === 400) && /\$_ts\s*=|\$_ts\.|_\$[a-zA-Z]{2}\s*=.*\$_ts/.test(head)) return 'antibot_ruishu';
  if (status === 412 && /<meta[^>]+content="[^"]{200,}"[^>]*r=['"]?m/i.test(head)) return 'antibot_ruishu';
  if (/__jsl_clearance/.test(head) || /__jsluid/.test(cookies) && status === 521) return 'antibot_jiasule';
  if (/wzwschallenge|wzwstemplate|wzws_cid|WZWS_CONFIRM_PREFIX_LABEL/i.test(head) || /wzws_cid|wzws_sessionid/i.test(cookies) || /wzwschallenge/i.test(location))
    return 'antibot_wzws';
  return null;
}
