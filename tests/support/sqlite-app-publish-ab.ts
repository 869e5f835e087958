/**
 * A/B of `app.publish` / `app.publishMany` on the SQLite store between two builds of
 * Eventyard, interleaved chunk by chunk in one process (W1's three modes: 1 in flight,
 * batches of 100, 64 in flight; 1 KB payloads; the bench's minimal Standard Schema). Each
 * build has its own WAL file; A and B alternate, which goes first alternating too, and the
 * first round is a warm-up. Prints medians of wall and CPU µs per event and of the per-round
 * ratios B/A; run it with the same build twice for the A/A noise.
 *
 *   npx tsc -p tsconfig.build.json --outDir .cache/new/dist      # after build-sql
 *   node --import tsx tests/support/sqlite-app-publish-ab.ts .cache/baseline/dist .cache/new/dist [rounds=9] [events=3000]
 *   MODES=serial,batch100 node --import tsx tests/support/sqlite-app-publish-ab.ts ...
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Eventyard } from '../../src/app.js';
import type { MessageType } from '../../src/core/message-type.js';
import type * as Index from '../../src/index.js';
import type * as SqliteIndex from '../../src/stores/sqlite/index.js';
import { benchPayloadSchema } from '../../bench/systems/eventyard.js';

interface Side {
  readonly app: Eventyard;
  readonly type: MessageType;
  readonly done: () => Promise<void>;
}

const [distA, distB, roundsArg = '9', eventsArg = '3000'] = process.argv.slice(2);
if (distA === undefined || distB === undefined) {
  console.error('usage: sqlite-app-publish-ab.ts <dist A> <dist B> [rounds] [events]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const events = Number(eventsArg);
const bodies = Array.from({ length: 512 }, () => randomBytes(750).toString('base64'));
let seq = 0;
const payload = (): { seq: number; sentAt: number; data: string } => ({
  seq: seq++,
  sentAt: 0,
  data: bodies[seq % bodies.length] as string,
});

async function open(dist: string, label: string): Promise<Side> {
  const root = pathToFileURL(`${resolve(dist)}/`).href;
  const index = (await import(`${root}index.js`)) as typeof Index;
  const sqlite = (await import(`${root}stores/sqlite/index.js`)) as typeof SqliteIndex;
  const dir = mkdtempSync(join(tmpdir(), `eventyard-app-ab-${label}-`));
  const store = sqlite.createSqliteStore({ path: join(dir, 'store.db'), synchronous: 'NORMAL' });
  const type = index.defineMessageType({
    name: 'IN_BENCH',
    schema: benchPayloadSchema,
    retry: { maxAttempts: 3, backoff: 'fixed', delayMs: 0, jitter: false },
  });
  const app = index.createEventyard({ store, messageTypes: [type], logger: index.silentLogger });
  return {
    app: app as unknown as Eventyard,
    type,
    done: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const allModes: Record<string, (side: Side) => Promise<void>> = {
  serial: async ({ app, type }) => {
    for (let i = 0; i < events; i++) await app.publish(type, payload());
  },
  batch100: async ({ app, type }) => {
    for (let i = 0; i < events; i += 100) {
      await app.publishMany(Array.from({ length: 100 }, () => ({ type, payload: payload() })));
    }
  },
  inflight64: async ({ app, type }) => {
    let started = 0;
    const lane = async (): Promise<void> => {
      while (started < events) {
        started++;
        await app.publish(type, payload());
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
  },
};
const only = process.env['MODES']?.split(',');
const modes = Object.keys(allModes).filter((m) => only === undefined || only.includes(m));

const sides = [await open(distA, 'a'), await open(distB, 'b')];
type Figures = { wall: number[]; cpu: number[] };
const figures = new Map(modes.map((m) => [m, [0, 1].map((): Figures => ({ wall: [], cpu: [] }))]));
for (let round = 0; round <= rounds; round++) {
  for (const mode of modes) {
    for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await (allModes[mode] as (side: Side) => Promise<void>)(sides[k] as Side);
      const wall = ((performance.now() - start) * 1000) / events;
      const used = process.cpuUsage(cpu);
      if (round === 0) continue;
      const mine = figures.get(mode)?.[k] as Figures;
      mine.wall.push(wall);
      mine.cpu.push((used.user + used.system) / events);
    }
  }
}
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
const ratio = (a: readonly number[], b: readonly number[]): number => median(b.map((v, i) => v / (a[i] as number)));
console.log(`app.publish on SQLite, interleaved, ${events} events per mode and round, ${rounds} rounds: µs per event`);
for (const mode of modes) {
  const [a, b] = figures.get(mode) as [Figures, Figures];
  console.log(
    `${mode.padEnd(10)} wall A ${median(a.wall).toFixed(1)} B ${median(b.wall).toFixed(1)} (B/A ${ratio(a.wall, b.wall).toFixed(2)})` +
      `  CPU A ${median(a.cpu).toFixed(1)} B ${median(b.cpu).toFixed(1)} (B/A ${ratio(a.cpu, b.cpu).toFixed(2)})`,
  );
}
for (const side of sides) await side.done();
