/** Turning CLI arguments (a config file, ad-hoc URLs, the local portal) into resolved sources. */
import { adhocSource, loadSources, parseSources, resolveSource, type ResolvedSource, type SourcesFile } from './config.ts';

export function resolveAll(file: SourcesFile, only?: string[]): ResolvedSource[] {
  const out = file.sources.filter((s) => !only?.length || only.includes(s.name)).map((s) => resolveSource(s, file.defaults));
  if (only?.length) {
    const missing = only.filter((n) => !out.some((s) => s.name === n));
    if (missing.length) throw new Error(`no source named ${missing.join(', ')} in the config`);
  }
  return out;
}

export interface SourceArgs {
  urls?: string[];
  config?: string;
  source?: string[];
  allowPrivate?: boolean;
  delay?: string;
  browser?: boolean;
}

export function sourcesFromArgs(a: SourceArgs, portalYaml?: string): ResolvedSource[] {
  const out: ResolvedSource[] = [];
  if (portalYaml) out.push(...resolveAll(parseSources(portalYaml, 'crawlers/portal/sources.yaml'), a.source));
  if (a.config) out.push(...resolveAll(loadSources(a.config), a.source));
  if (a.urls?.length)
    out.push(
      adhocSource(a.urls, {
        allow_private_addresses: a.allowPrivate || undefined,
        delay_seconds: a.delay !== undefined ? Number(a.delay) : undefined,
        browser: a.browser || undefined,
      }),
    );
  if (!out.length) throw new Error('nothing to crawl: give URLs, --config FILE or --portal');
  return out;
}
