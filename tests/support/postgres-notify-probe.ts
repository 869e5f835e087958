/**
 * What LISTEN/NOTIFY wake-ups cost concurrent publishes: PostgreSQL takes one database-wide
 * lock to queue notifications at commit and keeps it through the commit's WAL flush, so
 * transactions that notify commit one at a time (no group commit). Alternating rounds of
 * `perRound` single publishes, 64 in flight on the store's pool, with `notify: true` and
 * `notify: false`, on a private PostgreSQL 15 (synchronous_commit as given). Prints the
 * median events/s of each (docs/postgres.md).
 *
 *   npx tsx tests/support/postgres-notify-probe.ts [rounds] [synchronous_commit]
 */
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger } from '../../src/index.js';
import { createPostgresStore } from '../../src/stores/postgres/index.js';
import { createPostgresServer } from './postgres-server.js';

const rounds = Number(process.argv[2] ?? 4);
const synchronousCommit = process.argv[3] ?? 'on';
const perRound = 2000;
const WIDTH = 64;
const T = defineMessageType({ name: 'IN_PROBE', schema: z.object({ n: z.number() }) });
const server = await createPostgresServer({ synchronous_commit: synchronousCommit });
try {
  const apps = await Promise.all(
    [true, false].map(async (notify) => {
      const store = await createPostgresStore({ connectionString: server.url, schema: `probe_${notify}`, notify });
      return { notify, app: createEventyard({ store, messageTypes: [T], logger: silentLogger }) };
    }),
  );
  const rates = new Map<boolean, number[]>([
    [true, []],
    [false, []],
  ]);
  for (let r = 0; r < rounds; r++) {
    for (const { notify, app } of apps) {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: WIDTH }, async () => {
          while (next < perRound) await app.publish(T, { n: next++ });
        }),
      );
      rates.get(notify)?.push(perRound / ((performance.now() - t0) / 1000));
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
  for (const [notify, xs] of rates) {
    console.log(
      `notify ${notify}: median ${Math.round(median(xs))} events/s (${xs.map(Math.round).join(', ')}), synchronous_commit=${synchronousCommit}`,
    );
  }
  for (const { app } of apps) await app.close();
} finally {
  await server.destroy();
}
