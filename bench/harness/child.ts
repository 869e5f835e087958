/**
 * Runs one RunSpec in a fresh Node process (bench/run-one.ts under tsx, Eventyard from dist/) with its own
 * redis-server or SQLite file, and returns its RunResult. The server and the file are
 * removed afterwards, so no run sees another's data.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isPgProfile, isRedisProfile } from './durability.js';
import { CHILD_EXEC_ARGV } from './exec-argv.js';
import { startPostgres } from './postgres-server.js';
import { isBaseline } from '../systems/types.js';
import { startRedis } from './redis-server.js';
import type { RunResult, RunSpec } from '../workloads/types.js';

const RUN_ONE = fileURLToPath(new URL('../run-one.ts', import.meta.url));
/** The old build of an old-against-new case (bench/build-baseline.sh writes it). */
const BASELINE_DIST = new URL('../../.cache/baseline/dist/', import.meta.url).href;

/** A loopback port nothing listens on now (the OS picks it), so no run meets another server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ChildOptions {
  /** Write CPU profiles of the measured windows here. */
  readonly profileDir?: string | undefined;
  readonly timeoutMs: number;
}

export async function runInChild(
  spec: Omit<RunSpec, 'redisPort' | 'sqlitePath' | 'pgUrl'>,
  options: ChildOptions,
): Promise<RunResult> {
  const redis = isRedisProfile(spec.profile) ? await startRedis(spec.profile, await freePort()) : undefined;
  const postgres = isPgProfile(spec.profile) ? await startPostgres(spec.profile) : undefined;
  const dir = redis || postgres ? undefined : mkdtempSync(join(tmpdir(), 'eventyard-bench-sqlite-'));
  const full: RunSpec = {
    ...spec,
    redisPort: redis?.port,
    sqlitePath: dir ? join(dir, 'bench.db') : undefined,
    pgUrl: postgres?.url,
    profileDir: options.profileDir,
  };
  try {
    return await fork1(full, options);
  } finally {
    await redis?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function fork1(spec: RunSpec, options: ChildOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = fork(RUN_ONE, [JSON.stringify(spec)], {
      execArgv: [...CHILD_EXEC_ARGV],
      // compiled-src-hook.mjs maps src/ to this dist instead of the repo's own.
      env: isBaseline(spec.system) ? { ...process.env, EY_BENCH_DIST: BASELINE_DIST } : process.env,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: RunResult | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message) => (result = message as RunResult));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
    }, options.timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`${spec.system} ${spec.workload} exited ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}
