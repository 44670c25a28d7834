import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLES = join(ROOT, 'samples');
/** The shared corpus beside the repository (CI has it; a user's clone may not). */
export const SHARED = process.env.JIXIAO_SHARED ?? resolve(ROOT, '..', 'shared');
export const HAS_SHARED = existsSync(join(SHARED, 'corpus'));
export const SEED = {
  s000: join(SAMPLES, '000_f0d490b901e99830.txt'),
  s001: join(SAMPLES, '001_5de93a2aee16ff21.txt'),
  s003: join(SAMPLES, '003_cfa74effc3b5f03d.txt'),
  s004: join(SAMPLES, '004_5951d4f30969a9c2.txt'),
};
