/**
 * What the crawler may touch: allowed hosts, http(s) only, and never private, loopback or
 * link-local addresses unless a source explicitly allows them. Addresses are checked at
 * connect time (a DNS lookup hook on the undici Agent), so a name that resolves to 10.x or
 * 127.x is refused even if it looked public, and a DNS answer cannot change between check and use.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** True for loopback, private (RFC 1918 / ULA), link-local, CGNAT, multicast and unspecified addresses. */
export function isPrivateAddress(addr: string): boolean {
  const a = addr.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  const v = isIP(a);
  if (v === 4) return PRIVATE.check(a, 'ipv4');
  if (v === 6) return PRIVATE.check(a, 'ipv6');
  return false;
}

export class SafetyError extends Error {
  constructor(
    readonly reason: 'scheme_not_allowed' | 'host_not_allowed' | 'private_address' | 'bad_url',
    message: string,
  ) {
    super(message);
  }
}

export interface UrlPolicy {
  /** Host names (any port) or host:port entries; a leading `*.` matches subdomains. */
  allowedHosts: string[];
  allowedSchemes: string[];
  allowPrivateAddresses: boolean;
}

/** Does this host (and port) match the allow-list? */
export function hostAllowed(u: URL, allowed: string[]): boolean {
  const host = u.hostname.toLowerCase();
  const hostPort = `${host}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  return allowed.some((raw) => {
    const a = raw.toLowerCase();
    if (a.startsWith('*.')) return host === a.slice(2) || host.endsWith(a.slice(1));
    return a.includes(':') && !a.startsWith('[') ? a === hostPort || a === `${host}:${u.port}` : a === host;
  });
}

/** Throw a SafetyError unless the URL may be fetched under this policy (address literals checked here; names at connect time). */
export function checkUrl(url: string, policy: UrlPolicy): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SafetyError('bad_url', `not a URL: ${url}`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (!policy.allowedSchemes.includes(scheme)) throw new SafetyError('scheme_not_allowed', `scheme ${scheme} not allowed: ${url}`);
  if (!hostAllowed(u, policy.allowedHosts)) throw new SafetyError('host_not_allowed', `host ${u.host} not in allowed_hosts`);
  if (!policy.allowPrivateAddresses && isPrivateAddress(u.hostname)) throw new SafetyError('private_address', `private address ${u.hostname}`);
  return u;
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net.connect that refuses names resolving to private addresses. */
export function safeLookup(hostname: string, options: object, callback: LookupCb): void {
  dnsLookup(hostname, { ...(options as object), all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const e = new Error(`${hostname} resolves to private address ${bad.address}`) as NodeJS.ErrnoException;
      e.code = 'EPRIVATEADDR';
      return callback(e, []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}
