/**
 * A private PostgreSQL 15 server on a free loopback port, for tests that restart or crash
 * PostgreSQL (`pg_ctl restart -m fast`, `pg_ctl stop -m immediate` + start: what
 * `pg_ctlcluster 15 main ...` does to the packaged cluster), so the shared server other
 * tests use is never touched. Under root the server runs as the `postgres` OS user
 * (PostgreSQL refuses root), else as the current user; its data directory lives until
 * `destroy()`. EVENTYARD_PG_BIN names the binaries' directory (default PostgreSQL 15's).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

const BIN = process.env.EVENTYARD_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServerHandle {
  readonly port: number;
  readonly url: string;
  /** `pg_ctl restart -m fast`: clients are disconnected, the server is back when this resolves. */
  restartFast(): Promise<void>;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint; crash recovery at the next start. */
  stopImmediate(): void;
  /** `pg_ctl start`, resolving once the server accepts connections. */
  start(): Promise<void>;
  /** Whether the server accepts connections. */
  isUp(): Promise<boolean>;
  /** Stops the server (whatever state it is in) and deletes its directory. */
  destroy(): Promise<void>;
}

const root = process.getuid?.() === 0;
/** Runs a server binary: as the postgres user when we are root (PostgreSQL refuses root), else as ourselves. */
const asPostgres = ([command, ...args]: readonly string[]): string =>
  root
    ? execFileSync('runuser', ['-u', 'postgres', '--', command as string, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : execFileSync(command as string, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** `settings`: extra server settings, e.g. `{ autovacuum_naptime: '5s' }`. */
export async function createPostgresServer(
  settings: Readonly<Record<string, string>> = {},
): Promise<PostgresServerHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-pg-'));
  const data = join(dir, 'data');
  if (root) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  asPostgres([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const extra = Object.entries(settings)
    .map(([name, value]) => ` -c ${name}=${value}`)
    .join('');
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=on -c max_connections=100${extra}`;
  const ctl = (...args: string[]): string =>
    asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'server.log'), '-o', options, ...args]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const isUp = async (): Promise<boolean> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const waitUp = async (): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      if (await isUp()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`private postgres on port ${port} did not come up`);
  };

  const handle: PostgresServerHandle = {
    port,
    url,
    async restartFast() {
      ctl('-m', 'fast', '-w', 'restart');
      await waitUp();
    },
    stopImmediate() {
      ctl('-m', 'immediate', '-w', 'stop');
    },
    async start() {
      ctl('-w', 'start');
      await waitUp();
    },
    isUp,
    async destroy() {
      try {
        ctl('-m', 'immediate', '-w', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}

function userIds(name: string): { uid: number; gid: number } {
  const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
