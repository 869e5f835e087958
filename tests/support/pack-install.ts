/**
 * The package as npm delivers it: `npm pack` this checkout (prepack builds dist/), then
 * install the tarball with the given packages into an empty project of its own, as a
 * user would. Slow (a build and an install), so used by one system test. Every command
 * runs asynchronously: a test worker blocked for minutes loses its link to the runner.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`); never rejects. */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface Consumer {
  readonly dir: string;
  readonly tarball: string;
  /** Runs a command in the project; never rejects. */
  run(command: string, args: readonly string[], timeoutMs?: number): Promise<RunResult>;
}

/** Packs this checkout into a fresh temporary directory; returns the tarball's path. */
export async function packTarball(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'eventyard-pack-'));
  const packed = await runCommand('npm', ['pack', '--silent', '--pack-destination', out], REPO_ROOT, 600_000);
  const [tarball] = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  if (packed.status !== 0 || tarball === undefined) {
    throw new Error(`npm pack failed (${packed.status}):\n${packed.stdout}\n${packed.stderr}`);
  }
  return join(out, tarball);
}

/**
 * An empty ESM project (package.json, the given tsconfig) with the tarball and `packages`
 * installed from the registry (or npm's cache). With `ignoreScripts`, no install script
 * runs (see {@link reuseNativeBuild}).
 */
export async function installConsumer(
  tarball: string,
  packages: readonly string[],
  tsconfig: Record<string, unknown>,
  options: { readonly ignoreScripts?: boolean } = {},
): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-consumer-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' })}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const run = (command: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> =>
    runCommand(command, args, dir, timeoutMs);
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  if (options.ignoreScripts === true) flags.push('--ignore-scripts');
  const installed = await run('npm', ['install', ...flags, tarball, ...packages], 900_000);
  if (installed.status !== 0) {
    throw new Error(`npm install failed (${installed.status}):\n${installed.stdout}\n${installed.stderr}`);
  }
  return { dir, tarball, run };
}

/**
 * Gives the project's `pkg` (installed without its install script) the native build of
 * this checkout's copy, which must be the same version: compiling better-sqlite3 from
 * source takes minutes on this machine. Returns the version.
 */
export function reuseNativeBuild(consumer: Consumer, pkg: string): string {
  const versionOf = (dir: string): string =>
    (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const ours = join(REPO_ROOT, 'node_modules', pkg);
  const theirs = join(consumer.dir, 'node_modules', pkg);
  if (versionOf(ours) !== versionOf(theirs)) {
    throw new Error(`${pkg}: the registry gave ${versionOf(theirs)}, this checkout has ${versionOf(ours)}`);
  }
  cpSync(join(ours, 'build', 'Release'), join(theirs, 'build', 'Release'), { recursive: true });
  return versionOf(theirs);
}
