/** Resolved sources travel in job data as JSON; their patterns (RegExp) as { $re, flags }. */
import type { ResolvedSource } from '../../crawlers/config.ts';

export function sourceToJson(s: ResolvedSource): string {
  return JSON.stringify(s, (_k, v) => (v instanceof RegExp ? { $re: v.source, flags: v.flags } : v));
}

export function sourceFromJson(text: string): ResolvedSource {
  return JSON.parse(text, (_k, v) => (v && typeof v === 'object' && typeof v.$re === 'string' ? new RegExp(v.$re, v.flags) : v)) as ResolvedSource;
}

/** The hosts a source may fetch from: its allowed hosts and the hosts of its start URLs. */
export function sourceHosts(s: ResolvedSource): string[] {
  return [...new Set([...s.allowedHosts, ...s.startUrls.map((u) => new URL(u).host)])].sort();
}
