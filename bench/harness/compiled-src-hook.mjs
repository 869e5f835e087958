/**
 * The resolve hook behind compiled-src.mjs: `<repo>/src/**\/*.ts` → `<repo>/dist/**\/*.js`.
 * A dist file older than its source fails the run: measuring stale code would be worse than
 * not measuring (`npm run bench` builds first; a run by hand needs `npm run build`).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const SRC = new URL('../../src/', import.meta.url).href;
// EY_BENCH_DIST: the old build of an old-against-new case (bench/build-baseline.sh), used as is.
const BASELINE = process.env.EY_BENCH_DIST;
const DIST = BASELINE ?? new URL('../../dist/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith(SRC) || !resolved.url.endsWith('.ts')) return resolved;
  const url = `${DIST}${resolved.url.slice(SRC.length, -'.ts'.length)}.js`;
  const source = fileURLToPath(resolved.url);
  const compiled = fileURLToPath(url);
  if (BASELINE !== undefined) {
    if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run bench/build-baseline.sh <commit>`);
  } else if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`${compiled} is missing or older than ${source}: run npm run build first`);
  }
  return { url, format: 'module', shortCircuit: true };
}
