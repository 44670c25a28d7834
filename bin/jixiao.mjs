#!/usr/bin/env node
// Entry point of the `jixiao` CLI: TypeScript sources are run through tsx (no build step).
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
