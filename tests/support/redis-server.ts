/**
 * A private redis-server on a free loopback port, for tests that kill and restart Redis.
 * Its data directory survives `kill()` so `start()` recovers from the AOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface RedisServerHandle {
  readonly port: number;
  readonly dir: string;
  /** Starts (or restarts) the server and resolves when it answers PING with its data loaded. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown save, only what the AOF already holds survives. */
  kill(): Promise<void>;
  /** Kills the server and deletes its directory. */
  destroy(): Promise<void>;
}

export async function createRedisServer(extraArgs: readonly string[]): Promise<RedisServerHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-redis-'));
  let child: ChildProcess | undefined;

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  const start = async (): Promise<void> => {
    await kill();
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', join(dir, 'redis.log'), ...extraArgs],
      { stdio: 'ignore' },
    );
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 400; i++) {
        try {
          if (probe.status !== 'ready') await probe.connect();
          await probe.ping(); // LOADING while the AOF is replayed: keep trying
          return;
        } catch {
          probe.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`redis-server on port ${port} did not start`);
    } finally {
      probe.disconnect();
    }
  };

  return {
    port,
    dir,
    start,
    kill,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Durable Redis: every write is in the AOF, fsynced, before Redis replies. */
export const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] as const;
