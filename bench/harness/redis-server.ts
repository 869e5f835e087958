/**
 * Starts a private redis-server on a loopback port for one run, and reads the figures the
 * suite needs from INFO: CPU seconds (main process and forked children), commands by name
 * (INFO commandstats: commands run inside Lua scripts are counted too) and network bytes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisServerArgs, type RedisProfile } from './durability.js';
import type { ServerProbe } from './server-probe.js';

export interface RedisInstance {
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

export async function startRedis(profile: RedisProfile, port: number): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-bench-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', '', ...redisServerArgs(profile)],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  let version = 'unknown';
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      const info = parseInfo(await client.info('server'));
      version = info.get('redis_version') ?? version;
      break;
    } catch (error) {
      if (i > 100 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start`, { cause: error });
      }
      client.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.disconnect();
  return {
    port,
    version,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      // An append-only-file rewrite child forked by the server may still be writing its
      // temporary file for a moment after the server died: retry instead of failing the run.
      rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    },
  };
}

export function parseInfo(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}

export interface ServerSample {
  readonly cpuSeconds: number;
  /** Calls per command name, from INFO commandstats, INFO itself left out. */
  readonly commands: ReadonlyMap<string, number>;
  readonly netInBytes: number;
  readonly netOutBytes: number;
}

export async function sampleServer(client: Redis): Promise<ServerSample> {
  const info = parseInfo(await client.info('all'));
  const num = (key: string): number => Number(info.get(key) ?? 0);
  const commands = new Map<string, number>();
  for (const [key, value] of info) {
    if (!key.startsWith('cmdstat_')) continue;
    const name = key.slice('cmdstat_'.length);
    if (name === 'info') continue;
    commands.set(name, Number(/calls=(\d+)/.exec(value)?.[1] ?? 0));
  }
  return {
    cpuSeconds:
      num('used_cpu_sys') + num('used_cpu_user') + num('used_cpu_sys_children') + num('used_cpu_user_children'),
    commands,
    netInBytes: num('total_net_input_bytes'),
    netOutBytes: num('total_net_output_bytes'),
  };
}

/**
 * Rewrites the append-only file (BGREWRITEAOF) and waits until no rewrite runs or is
 * scheduled; nothing when the server has no append-only file. Redis rewrites the file by
 * itself once it has grown by its size at the last rewrite (`auto-aof-rewrite-percentage
 * 100`), in a forked child whose CPU, and the parent's copy-on-write faults, the window's
 * server CPU counts. Left alone, a window inherited the growth of the preload or the phase
 * before it, and whether the rewrite fell inside it, for one system or the other, was down
 * to byte counts the window did not write (docs/redis.md, "The append-only file's rewrite",
 * has what it moved). After this, every window starts from a file the size of its data, and
 * a rewrite inside it is one its own writes caused.
 */
async function settleAppendOnlyFile(client: Redis, timeoutMs = 300_000): Promise<void> {
  const persistence = async (): Promise<Map<string, string>> => parseInfo(await client.info('persistence'));
  if ((await persistence()).get('aof_enabled') !== '1') return;
  const deadline = performance.now() + timeoutMs;
  const idle = async (): Promise<void> => {
    for (;;) {
      const info = await persistence();
      if (info.get('aof_rewrite_in_progress') === '0' && info.get('aof_rewrite_scheduled') === '0') return;
      if (performance.now() > deadline)
        throw new Error(`redis: the append-only file rewrite took over ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await idle();
  await client.bgrewriteaof();
  await idle();
  const status = (await persistence()).get('aof_last_bgrewrite_status');
  if (status !== 'ok') throw new Error(`redis: the append-only file rewrite ended ${String(status)}`);
}

/** The suite's INFO client as a window probe (its own requests are not counted as round trips). */
export function redisProbe(client: Redis): ServerProbe {
  return {
    kind: 'redis',
    settle: () => settleAppendOnlyFile(client),
    sample: () => sampleServer(client),
    close: async () => client.disconnect(),
  };
}
