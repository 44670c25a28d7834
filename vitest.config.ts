import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Real documents: a 170-page PDF or a whole-corpus recall run can take minutes on 2 cores.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Tests open DuckDB files, LibreOffice and Chromium: run files in forked processes, two at a time.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
