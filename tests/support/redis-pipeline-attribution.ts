/**
 * Where the Redis server's time goes in W5's pipeline, by script and by command: the example
 * flow's four services (examples/abc/flow.ts, no failures, concurrency 32 each) drain
 * `flows` orders published up front, on a private redis-server (appendonly yes, appendfsync
 * everysec, as the bench runs it). Redis logs every command of the drain in its SLOWLOG
 * (`slowlog-log-slower-than 0`), which names each FCALL's function, so the time of each
 * script is summed apart; INFO commandstats adds the commands scripts run inside. Prints
 * flows/s, Redis and client CPU per flow, then per script and per command: calls and
 * microseconds per flow. The log's own bookkeeping costs Redis about 1 µs per command, so
 * read the rows against each other, not as absolute figures.
 *
 *   node --import tsx tests/support/redis-pipeline-attribution.ts [flows=20000] [build=.]
 *
 * `build`: a checkout whose `dist` to run (npm run build; bench/build-baseline.sh builds an
 * earlier commit into .cache/baseline), so two builds can be compared run for run.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type * as AppModule from '../../src/index.js';
import type * as RedisModule from '../../src/stores/redis/index.js';
import { createRedisServer } from './redis-server.js';

const flows = Number(process.argv[2] ?? 20_000);
const build = resolve(process.argv[3] ?? '.');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(build, path)).href)) as T;
const { createEventyard, silentLogger } = await load<typeof AppModule>('dist/index.js');
const { createRedisStore } = await load<typeof RedisModule>('dist/stores/redis/index.js');
// The example flow runs against the build's own app (its message types are plain values).
const { buildService, messageTypes, IN_ORDER } = await import('../../examples/abc/flow.js');

const server = await createRedisServer(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']);
await server.start();
const admin = new Redis({ port: server.port });
const store = createRedisStore({ host: '127.0.0.1', port: server.port });
const app = createEventyard({ store, messageTypes, logger: silentLogger });

const currencies = ['EUR', 'USD', 'GBP'] as const;
const orders = Array.from({ length: flows }, (_, i) => ({
  type: IN_ORDER,
  payload: { orderId: `O-${i}`, customer: `c${i % 97}`, amount: 10 + (i % 900), currency: currencies[i % 3] ?? 'EUR' },
  options: { createdBy: 'UPSTREAM' },
}));
for (let i = 0; i < orders.length; i += 500) await app.publishMany(orders.slice(i, i + 500));

const redisCpu = async (): Promise<number> => {
  const text = await admin.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? Number.NaN);
  return field('used_cpu_sys') + field('used_cpu_user');
};
const logCap = flows * 30;
await admin.config('SET', 'slowlog-max-len', String(logCap));
await admin.config('SET', 'slowlog-log-slower-than', '0');
await admin.slowlog('RESET');
await admin.config('RESETSTAT');
const cpu0 = await redisCpu();
const client0 = process.cpuUsage();
const t0 = performance.now();
let delivered = 0;
let done!: () => void;
const finished = new Promise<void>((resolveAll) => (done = resolveAll));
const services = (['A', 'B', 'C', 'OUT'] as const).map((key) =>
  buildService(app as unknown as Parameters<typeof buildService>[0], key, {
    failRate: 0,
    deliver: () => {
      if (++delivered === flows) done();
    },
    service: { concurrency: 32 },
  }).start(),
);
await finished;
const seconds = (performance.now() - t0) / 1000;
const client = process.cpuUsage(client0);
const cpu1 = await redisCpu();
await admin.config('SET', 'slowlog-log-slower-than', '10000');

const log = (await admin.slowlog('GET', -1)) as [number, number, number, string[]][];
// A full log has dropped its oldest entries: the sums below would then be short.
if (log.length >= logCap) throw new Error(`SLOWLOG held ${log.length} commands, its cap: raise slowlog-max-len`);
const byName = new Map<string, { calls: number; us: number }>();
for (const [, , us, args] of log) {
  const command = String(args[0]).toUpperCase();
  // Scripts by function (`ey_<library hash>_<script>`); commands run inside scripts are in
  // the log too, under their own names.
  const name = command === 'FCALL' ? `FCALL ${String(args[1]).replace(/^ey_[0-9a-f]+_/, '')}` : command;
  const entry = byName.get(name) ?? { calls: 0, us: 0 };
  entry.calls++;
  entry.us += us;
  byName.set(name, entry);
}
const perFlow = (n: number): string => (n / flows).toFixed(3);
console.log(
  `${flows} flows in ${seconds.toFixed(1)} s: ${(flows / seconds).toFixed(0)} flows/s; Redis CPU ${(((cpu1 - cpu0) * 1000) / flows).toFixed(3)} ms/flow, ` +
    `client CPU ${((client.user + client.system) / 1000 / flows).toFixed(3)} ms/flow (${log.length} commands logged)`,
);
console.log('command (FCALL: by script)       calls/flow   µs/call   µs/flow');
for (const [name, e] of [...byName].sort((x, y) => y[1].us - x[1].us)) {
  if (e.us / flows < 0.05) continue;
  console.log(
    `${name.padEnd(32)} ${perFlow(e.calls).padStart(10)} ${(e.us / e.calls).toFixed(1).padStart(9)} ${(e.us / flows).toFixed(1).padStart(9)}`,
  );
}

await Promise.all(services.map((s) => s.stop()));
await app.close();
admin.disconnect();
await server.destroy();
