import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLES = join(ROOT, 'samples');
/**
 * The real documents the tests read, bundled in the repository (`tests/corpus/`, see its README):
 * `pdf/<city>/<file>`, `html/<city>/<file>`, each folder with the MANIFEST.tsv of its files.
 */
export const CORPUS = join(ROOT, 'tests', 'corpus');
/**
 * A larger corpus of the same layout (e.g. the whole development corpus), for the opt-in tests and
 * benches that run over every file: `JIXIAO_CORPUS=DIR`. Unset, those tests say they are skipped.
 */
export const FULL_CORPUS = process.env.JIXIAO_CORPUS && existsSync(process.env.JIXIAO_CORPUS) ? resolve(process.env.JIXIAO_CORPUS) : null;
export const SEED = {
  s000: join(SAMPLES, '000_f0d490b901e99830.txt'),
  s001: join(SAMPLES, '001_5de93a2aee16ff21.txt'),
  s003: join(SAMPLES, '003_cfa74effc3b5f03d.txt'),
  s004: join(SAMPLES, '004_5951d4f30969a9c2.txt'),
};
