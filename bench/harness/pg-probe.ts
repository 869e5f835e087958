/**
 * What the suite reads from a private PostgreSQL server around a window: CPU of the whole
 * cluster (the postmaster and every live backend and auxiliary process from /proc, plus the
 * CPU of children that already exited, which the kernel adds to the postmaster's cutime and
 * cstime), WAL bytes written (the WAL insert position, pg_current_wal_insert_lsn: the
 * bytes pg_stat_wal counts, without its up-to-10 s reporting lag) and write transactions (the
 * next transaction id: read-only transactions take none).
 * Client → server round trips are counted by patching node-postgres' Client#query, which
 * every library here (Eventyard's store, pg-boss, graphile-worker) sends its SQL through: one
 * call is one request and its reply, however many statements its text holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import type { ServerProbe, ServerSample } from './server-probe.js';

const TICKS = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; cpu: number; childCpu: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number): number => Number(fields[i - 3]);
    return { ppid: n(4), cpu: (n(14) + n(15)) / TICKS, childCpu: (n(16) + n(17)) / TICKS };
  } catch {
    return undefined;
  }
}

/** Seconds of CPU used by the postmaster `root` and its processes, exited ones included. */
function clusterCpuSeconds(root: number): number {
  const top = stat(root);
  if (top === undefined) return NaN;
  let total = top.cpu + top.childCpu;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === root) continue;
    const s = stat(pid);
    if (s?.ppid === root) total += s.cpu;
  }
  return total;
}

let requests = 0;
let installed = false;
const ignored = new WeakSet<object>();

export function installPgRoundTripCounter(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    if (!ignored.has(this)) requests++;
    return original.apply(this, args);
  };
}

export const pgRoundTrips = (): number => requests;

export async function openPgProbe(url: string): Promise<ServerProbe> {
  const client = new pg.Client({ connectionString: url, query_timeout: 10_000, connectionTimeoutMillis: 10_000 });
  ignored.add(client);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = stat(rows[0]?.pid ?? 0)?.ppid ?? 0;
  return {
    kind: 'postgres',
    async sample(): Promise<ServerSample> {
      const { rows: r } = await client.query<{ wal: string; xid: string }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS wal,
                pg_snapshot_xmax(pg_current_snapshot())::text AS xid`,
      );
      const row = r[0];
      return {
        cpuSeconds: clusterCpuSeconds(postmaster),
        commands: new Map([['write transactions', Number(row?.xid ?? 0)]]),
        walBytes: Number(row?.wal ?? 0),
      };
    },
    close: () => client.end(),
  };
}
