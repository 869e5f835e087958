/**
 * The package as npm delivers it: `npm pack` this checkout (prepack builds dist/), then
 * install the tarball with the given packages into an empty project of its own, as a
 * user would. Slow (a build and an install), so used by one system test.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface Consumer {
  readonly dir: string;
  readonly tarball: string;
  /** Runs a command in the project; never throws. */
  run(command: string, args: readonly string[], timeoutMs?: number): SpawnSyncReturns<string>;
}

/** Packs this checkout into a fresh temporary directory; returns the tarball's path. */
export function packTarball(): string {
  const out = mkdtempSync(join(tmpdir(), 'eventyard-pack-'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 600_000,
  });
  const [tarball] = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${out}`);
  return join(out, tarball);
}

/**
 * An empty ESM project (package.json, the given tsconfig) with the tarball and `packages`
 * installed (`npm install` specs: names, name@range, or local directories).
 */
export function installConsumer(
  tarball: string,
  packages: readonly string[],
  tsconfig: Record<string, unknown>,
): Consumer {
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-consumer-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const run = (command: string, args: readonly string[], timeoutMs = 120_000): SpawnSyncReturns<string> =>
    spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: timeoutMs });
  const installed = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...packages],
    900_000,
  );
  if (installed.status !== 0) {
    throw new Error(`npm install failed (${installed.status}):\n${installed.stdout}\n${installed.stderr}`);
  }
  return { dir, tarball, run };
}
