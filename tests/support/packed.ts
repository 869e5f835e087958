/**
 * The package as a user gets it: `npm pack` of this checkout, installed into an empty project on a
 * chosen Node build.
 *
 *   const project = await packAndInstall({ node: 22, deps: ['better-sqlite3'] });
 *   project.run(['probe.mjs'])    // runs that Node in the project
 *
 * The tarball is built once per source state: `npm pack` (whose prepack step builds dist/) runs
 * only when package.json, README, LICENSE, tsconfig*.json or a file under src/ or scripts/ changed
 * since the tarball in .cache/packed/ was made; a lock directory serialises test files that ask
 * at the same time. Node builds come from scripts/fetch-node.sh (22, 24) or are the Node running
 * the test (`node: 'current'`). A dependency named without a version is installed at the version
 * package-lock.json holds, so the probe runs against what CI tests with.
 *
 * better-sqlite3 compiles from source when no prebuilt binary can be downloaded (as here): one to
 * five minutes per Node on a busy 2-core machine. With `native: 'reuse'` (the default) the
 * project is installed with --ignore-scripts and gets the binary this checkout already built for
 * that Node's ABI (its node_modules, or scripts/with-node.sh's copy in .cache/node-modules/),
 * same better-sqlite3 version, same headers; when there is none it is compiled as usual.
 */
import { execFileSync, spawn as spawnChild, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM_CLI = process.env.EVENTYARD_NPM_CLI ?? '/usr/lib/node_modules/npm/bin/npm-cli.js';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to its end (killed after `timeoutMs`); never rejects. The long steps (pack,
 * install, a compiler run) go through here rather than spawnSync: a test worker blocked for
 * minutes can lose its link to the runner.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawnChild(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
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

export interface NodeBuild {
  /** The `node` binary. */
  readonly bin: string;
  /** `v24.22.3`. */
  readonly version: string;
  /** npm_config_nodedir for native modules, when the build is one of scripts/fetch-node.sh's. */
  readonly nodedir?: string;
}

/** A pinned build from scripts/fetch-node.sh (downloaded on first use), or the Node running now. */
export function nodeBuild(node: 22 | 24 | 'current'): NodeBuild {
  if (node === 'current') return { bin: process.execPath, version: process.version };
  const dir = execFileSync(join(ROOT, 'scripts/fetch-node.sh'), [String(node)], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'bin', 'node');
  return { bin, version: execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), nodedir: join(dir, 'nodedir') };
}

export interface PackedTarball {
  readonly path: string;
  /** Every path in the tarball, relative to the package root, sorted. */
  readonly files: readonly string[];
}

function fingerprint(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) {
        if (entry !== 'generated') add(join(path, entry));
      }
      return;
    }
    hash.update(path).update('\0').update(readFileSync(full)).update('\0');
  };
  for (const path of [
    'package.json',
    'README.md',
    'LICENSE',
    'tsconfig.json',
    'tsconfig.build.json',
    'src',
    'scripts',
    'bin',
  ])
    add(path);
  return hash.digest('hex').slice(0, 16);
}

async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than ten minutes belongs to a run that died.
      if (Date.now() - statSync(lockDir).mtimeMs > 600_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${lockDir}`, { cause: err });
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** `npm pack` of this checkout (building dist/ first), reused while the sources are unchanged. */
export async function packOnce(): Promise<PackedTarball> {
  const cache = join(ROOT, '.cache', 'packed');
  mkdirSync(cache, { recursive: true });
  return withLock(join(cache, '.lock'), async () => {
    const key = fingerprint();
    const stamp = join(cache, `${key}.json`);
    if (existsSync(stamp)) {
      const known = JSON.parse(readFileSync(stamp, 'utf8')) as PackedTarball;
      if (existsSync(known.path)) return known;
    }
    for (const old of readdirSync(cache)) if (!old.startsWith('.')) rmSync(join(cache, old), { force: true });
    const out = await runCommand(process.execPath, [NPM_CLI, 'pack', '--json', '--pack-destination', cache], {
      cwd: ROOT,
      timeoutMs: 900_000,
    });
    if (out.status !== 0) throw new Error(`npm pack failed:\n${out.stdout}\n${out.stderr}`);
    // prepack (npm run build) prints to stdout too: the JSON report is the last thing written.
    const json = out.stdout.slice(out.stdout.lastIndexOf('\n[\n') + 1);
    const [report] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
    if (report === undefined) throw new Error(`npm pack printed no report:\n${out.stdout}`);
    const packed: PackedTarball = {
      path: join(cache, report.filename),
      files: report.files.map((f) => f.path).sort(),
    };
    writeFileSync(stamp, JSON.stringify(packed));
    return packed;
  });
}

/** The version package-lock.json installs for a top-level dependency. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

export interface PackAndInstallOptions {
  node: 22 | 24 | 'current';
  /** Installed next to the tarball: `name` (at the locked version) or `name@range`. */
  deps?: readonly string[];
  /** `reuse` (default): better-sqlite3's binary from this checkout's build for that ABI, if any. */
  native?: 'reuse' | 'build';
}

const SQLITE_BINARY = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** A node_modules of this checkout holding better-sqlite3 `version` built for Node ABI `abi`. */
function builtSqlite(abi: string, version: string): string | undefined {
  const candidates = [join(ROOT, 'node_modules'), join(ROOT, '.cache', 'node-modules', `abi${abi}`)];
  for (const modules of candidates) {
    const stamp = join(modules, '.eventyard-node');
    const stampedAbi = existsSync(stamp) ? /^abi=(\d+)$/m.exec(readFileSync(stamp, 'utf8'))?.[1] : undefined;
    // An unstamped node_modules is the one this test process runs with: it matches this Node.
    const matches = stampedAbi === undefined ? abi === process.versions.modules : stampedAbi === abi;
    const manifest = join(modules, 'better-sqlite3', 'package.json');
    if (!matches || !existsSync(manifest) || !existsSync(join(modules, SQLITE_BINARY))) continue;
    if ((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version === version)
      return join(modules, SQLITE_BINARY);
  }
  return undefined;
}

export interface PackedProject {
  /** The project's folder (deleted by `remove()`). */
  readonly dir: string;
  readonly node: NodeBuild;
  readonly tarball: PackedTarball;
  /** What `npm install` printed (stdout and stderr). */
  readonly installLog: string;
  /** better-sqlite3's binary: compiled by this install, copied from the checkout's build, or not installed. */
  readonly sqliteBinary: 'built' | 'reused' | 'none';
  /** Runs the project's Node with these arguments in the project's folder. */
  run(args: readonly string[], options?: { timeoutMs?: number }): SpawnSyncReturns<string>;
  /** Runs npm (the machine's CLI) with the project's Node. */
  npm(args: readonly string[], options?: { timeoutMs?: number }): SpawnSyncReturns<string>;
  /** Runs the project's Node without blocking the test worker (for runs of minutes). */
  runAsync(args: readonly string[], timeoutMs: number): Promise<RunResult>;
  writeFile(path: string, text: string): void;
  remove(): void;
}

/** Packs this checkout once, then installs the tarball and `deps` into a new empty project. */
export async function packAndInstall(options: PackAndInstallOptions): Promise<PackedProject> {
  const tarball = await packOnce();
  const node = nodeBuild(options.node);
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-packed-'));
  writeFileSync(
    join(dir, 'package.json'),
    // allowScripts: npm 11 asks a project to approve its dependencies' install scripts, as a user
    // whose project uses better-sqlite3 does.
    JSON.stringify(
      {
        name: 'packed-probe',
        version: '0.0.0',
        private: true,
        type: 'module',
        allowScripts: { 'better-sqlite3': true },
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    PATH: `${dirname(node.bin)}:${process.env.PATH ?? ''}`,
    ...(node.nodedir === undefined ? {} : { npm_config_nodedir: node.nodedir }),
    npm_config_update_notifier: 'false',
  };
  const spawn = (cmd: string, args: readonly string[], timeoutMs = 300_000): SpawnSyncReturns<string> =>
    spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const npm = (args: readonly string[], opts?: { timeoutMs?: number }): SpawnSyncReturns<string> =>
    spawn(node.bin, [NPM_CLI, ...args], opts?.timeoutMs);

  const deps = (options.deps ?? []).map((d) => (d.lastIndexOf('@') > 0 ? d : `${d}@${lockedVersion(d)}`));
  const sqlite = deps.find((d) => d.startsWith('better-sqlite3@'));
  const abi = execFileSync(node.bin, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
  const binary =
    sqlite !== undefined && (options.native ?? 'reuse') === 'reuse'
      ? builtSqlite(abi, sqlite.slice('better-sqlite3@'.length))
      : undefined;
  const install = await runCommand(
    node.bin,
    [
      NPM_CLI,
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...(binary === undefined ? [] : ['--ignore-scripts']),
      tarball.path,
      ...deps,
    ],
    { cwd: dir, env, timeoutMs: 900_000 },
  );
  const installLog = `${install.stdout}${install.stderr}`;
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm install of ${relative(ROOT, tarball.path)} on Node ${node.version} failed:\n${installLog}`);
  }
  if (binary !== undefined) {
    mkdirSync(dirname(join(dir, 'node_modules', SQLITE_BINARY)), { recursive: true });
    copyFileSync(binary, join(dir, 'node_modules', SQLITE_BINARY));
  }
  return {
    dir,
    node,
    tarball,
    installLog,
    sqliteBinary: sqlite === undefined ? 'none' : binary === undefined ? 'built' : 'reused',
    run: (args, opts) => spawn(node.bin, args, opts?.timeoutMs),
    npm,
    runAsync: (args, timeoutMs) => runCommand(node.bin, args, { cwd: dir, env, timeoutMs }),
    writeFile: (path, text) => writeFileSync(join(dir, path), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
