/**
 * Where the time of one publish at a time goes on Redis (W1, 1 in flight), layer by layer,
 * on a private redis-server (appendonly yes, appendfsync everysec). Each mode publishes
 * `events` 1 KB events one after the other, after 500 unmeasured ones, in rounds that
 * alternate the modes so they share the machine's load:
 *
 * - `app`: `app.publish` (validation, encoding, the message builder, then the store);
 * - `store`: `store.publish` of a ready row (the store's JS, ioredis, the publish script);
 * - `set`: a plain ioredis `SET` of the same 1 KB (the client and a round trip, no script);
 * - `bullmq`: BullMQ's `Queue.add` (its own script), the peer of the bench's W1.
 *
 * Per mode: events/s, this process's user and system CPU per event (`process.cpuUsage`), and
 * the server's µs per script call (`INFO commandstats`: FCALL or EVALSHA, the script's own time with
 * the commands it runs), how many commands the script ran per event and their µs (the rest of
 * the script's time is its Lua), the bytes the AOF grew by per event (`aof_current_size`),
 * and the server's whole CPU per event (`INFO cpu`: all its threads, user and system).
 * Medians over the rounds.
 *
 *   node --import tsx tests/support/redis-publish-probe.ts [events=5000] [rounds=3]
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { createEventyard, defineMessageType, silentLogger } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { makePayloads, type BenchPayload } from '../../bench/harness/payloads.js';
import { createRedisServer } from './redis-server.js';

const events = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 3);
const server = await createRedisServer(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']);
await server.start();
const admin = new Redis({ port: server.port });

type Publish = (payload: BenchPayload) => Promise<unknown>;
interface Mode {
  readonly name: string;
  open(): Promise<{ publish: Publish; close: () => Promise<void> }>;
}

const schema = {
  '~standard': { version: 1 as const, vendor: 'probe', validate: (value: unknown) => ({ value }) },
};

const modes: Mode[] = [
  {
    name: 'app',
    async open() {
      const store = createRedisStore({ port: server.port, keyPrefix: `p${randomUUID().slice(0, 8)}` });
      const type = defineMessageType({ name: 'IN_PROBE', schema });
      const app = createEventyard({ store, messageTypes: [type], logger: silentLogger });
      return { publish: (p) => app.publish('IN_PROBE', p), close: () => app.close() };
    },
  },
  {
    name: 'store',
    async open() {
      const store = createRedisStore({ port: server.port, keyPrefix: `p${randomUUID().slice(0, 8)}` });
      const publish: Publish = (p) =>
        store.publish([
          {
            eventId: randomUUID(),
            messageType: 'IN_PROBE',
            table: 'inbound',
            payload: JSON.stringify(p),
            maxAttempts: 5,
            createdBy: 'PROBE',
          },
        ]);
      return { publish, close: () => store.close() };
    },
  },
  {
    name: 'set',
    async open() {
      const client = new Redis({ port: server.port });
      const prefix = randomUUID();
      let n = 0;
      return {
        publish: (p) => client.set(`${prefix}:${n++}`, JSON.stringify(p)),
        close: async () => void (await client.quit()),
      };
    },
  },
  {
    name: 'bullmq',
    async open() {
      const queue = new Queue(`probe-${randomUUID()}`, { connection: { host: '127.0.0.1', port: server.port } });
      await queue.waitUntilReady();
      return { publish: (p) => queue.add('job', p, { attempts: 5 }), close: () => queue.close() };
    },
  },
];

interface ServerStats {
  /** Script calls (FCALL or EVALSHA) and their time, with the commands they ran. */
  calls: number;
  usec: number;
  /** The commands the scripts ran (every other data command counted since RESETSTAT). */
  inner: number;
  innerUsec: number;
  /** The AOF's size: what the publishes appended. */
  aofBytes: number;
  /** The server process's CPU (all its threads, user + system), in µs. */
  cpuUs: number;
}

/** Commands of the probe itself, not of a publish. */
const OWN = new Set(['config|resetstat', 'info', 'fcall', 'evalsha', 'function|load', 'script|load', 'ping']);

async function serverStats(): Promise<ServerStats> {
  const text = await admin.info('commandstats');
  const stats: ServerStats = { calls: 0, usec: 0, inner: 0, innerUsec: 0, aofBytes: 0, cpuUs: 0 };
  for (const [, name = '', c, u] of text.matchAll(/cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/g)) {
    if (name === 'fcall' || name === 'evalsha') {
      // Scripts run as FCALL (the store's functions) or EVALSHA (BullMQ, or the store without functions).
      stats.calls += Number(c);
      stats.usec += Number(u);
    } else if (!OWN.has(name)) {
      stats.inner += Number(c);
      stats.innerUsec += Number(u);
    }
  }
  stats.aofBytes = Number(/aof_current_size:(\d+)/.exec(await admin.info('persistence'))?.[1] ?? 0);
  const cpu = await admin.info('cpu');
  const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  stats.cpuUs = (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
  return stats;
}

interface Figures {
  perSec: number;
  userUs: number;
  systemUs: number;
  scriptUs: number;
  innerPerEvent: number;
  innerUs: number;
  aofBytes: number;
  serverCpuUs: number;
}
const results = new Map<string, Figures[]>(modes.map((m) => [m.name, []]));
let seq = 0;
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const { publish, close } = await mode.open();
    for (const p of makePayloads(500, seq)) await publish(p);
    seq += 500;
    const payloads = makePayloads(events, seq);
    seq += events;
    await admin.config('RESETSTAT');
    const before = await serverStats();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const p of payloads) await publish(p);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const script = await serverStats();
    results.get(mode.name)?.push({
      perSec: events / seconds,
      userUs: used.user / events,
      systemUs: used.system / events,
      scriptUs: script.calls === 0 ? 0 : script.usec / script.calls,
      innerPerEvent: script.inner / events,
      innerUs: script.innerUsec / events,
      aofBytes: (script.aofBytes - before.aofBytes) / events,
      serverCpuUs: (script.cpuUs - before.cpuUs) / events,
    });
    await close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
console.log(`redis, 1 publish in flight, ${events} events × ${rounds} rounds (medians):`);
for (const [name, figures] of results) {
  const m = (key: keyof Figures): string => median(figures.map((f) => f[key])).toFixed(1);
  console.log(
    `${name.padEnd(7)} ${m('perSec').padStart(8)} events/s  client user ${m('userUs')} µs, system ${m('systemUs')} µs` +
      `  server script ${m('scriptUs')} µs/call, of which ${m('innerPerEvent')} commands ${m('innerUs')} µs;` +
      ` AOF ${m('aofBytes')} B/event; server CPU ${m('serverCpuUs')} µs/event`,
  );
}
admin.disconnect();
await server.destroy();
