import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, chownSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';

/**
 * Where the broker tests find their servers (loopback only), and what they do when one is
 * missing: fail, never skip.
 */
export const RABBITMQ_URL = process.env.EY_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_SERVERS = process.env.EY_NATS_SERVERS ?? '127.0.0.1:4222';
export const KAFKA_BROKERS = (process.env.EY_KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

// ---------------------------------------------------------------------------------------
// Private broker servers for the restart tests: started by the test, on their own loopback
// ports and data directories, stopped and restarted by the test alone, so restarting them
// never disturbs the shared servers other test files use at the same time.

export async function waitForPort(port: number, up: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not go ${up ? 'up' : 'down'} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface PrivateServer {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** A NATS server with JetStream on `port`, storing in `dir`; this process owns its pid. */
export function privateNats(dir: string, port: number): PrivateServer {
  let child: ChildProcess | undefined;
  const server: PrivateServer = {
    url: `127.0.0.1:${port}`,
    async start() {
      mkdirSync(dir, { recursive: true });
      child = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
        stdio: 'ignore',
      });
      await waitForPort(port, true, 30_000);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running?.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
      await waitForPort(port, false, 30_000);
    },
    dispose: () => server.stop(),
  };
  return server;
}

/**
 * A RabbitMQ node of its own (`eytest<port>@localhost`) on `port`, with its own config,
 * data and logs in `dir`; stopped with `rabbitmqctl -n <that node> stop`.
 */
export function privateRabbitMq(dir: string, port: number): PrivateServer {
  const node = `eytest${port}@localhost`;
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(port + 20_000),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
  };
  let prepared = false;
  const prepare = (): void => {
    if (prepared) return;
    prepared = true;
    mkdirSync(join(dir, 'mnesia'), { recursive: true });
    mkdirSync(join(dir, 'log'), { recursive: true });
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
    // The server scripts run as the rabbitmq user when started as root.
    for (const path of [
      dir,
      join(dir, 'mnesia'),
      join(dir, 'log'),
      join(dir, 'enabled_plugins'),
      join(dir, 'rabbitmq.conf'),
    ]) {
      try {
        const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString().trim());
        const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString().trim());
        chownSync(path, uid, gid);
      } catch {
        // not root, or no rabbitmq user: the current user runs the node
      }
    }
  };
  let running = false;
  const server: PrivateServer = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async start() {
      prepare();
      execFileSync('rabbitmq-server', ['-detached'], { env, cwd: dir, stdio: 'ignore' });
      running = true;
      await waitForPort(port, true, 60_000);
    },
    async stop() {
      if (!running) return;
      running = false;
      execFileSync('rabbitmqctl', ['-n', node, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
      await waitForPort(port, false, 30_000);
    },
    dispose: () => server.stop(),
  };
  return server;
}
