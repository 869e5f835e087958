#!/usr/bin/env node
// The `eventyard` command. In a clone of the repository it runs the TypeScript sources
// through tsx (a dev dependency), so it never runs a stale build; an installed package has
// no src/ and runs dist/cli/main.js.
/* global URL */
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  main = await import(source.href);
} else {
  main = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
process.exitCode = await main.runCli(process.argv.slice(2));
