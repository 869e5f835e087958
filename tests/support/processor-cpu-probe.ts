/**
 * The processor's own CPU per event, with a store that costs next to nothing: claim hands
 * out made-up rows (a counter), complete answers 'ok' at once. What is left is the
 * core's work per event (claim loop, dispatch, attempt, payload parse and check, handler
 * context, batching, outcome report), the part every store pays on top of its own.
 *
 *   node --import tsx tests/support/processor-cpu-probe.ts [events=200000] [concurrency=32] [rounds=3]
 *   ASYNC=1 node --import tsx tests/support/processor-cpu-probe.ts      # an async handler
 *   DIST=.cache/baseline node --import tsx tests/support/processor-cpu-probe.ts   # another build's dist/
 *
 * Prints µs of CPU (user + system) per event for each round, after one warm-up round. Without
 * DIST it runs this checkout's dist/ (`npm run build` first).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Api from '../../src/index.js';
import type * as Testing from '../../src/testing/index.js';
import type { ClaimRequest, ClaimedMessage, CompleteRequest, EventStore, LeaseOutcome } from '../../src/store/port.js';
import type { StandardSchemaV1 } from '../../src/core/standard-schema.js';

const dist = join(resolve(process.env['DIST'] ?? '.'), 'dist');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dist, path)).href)) as T;
const { createEventyard, defineMessageType, silentLogger } = await load<typeof Api>('index.js');
const { createMemoryStore } = await load<typeof Testing>('testing/index.js');

/** ASYNC=1: an async handler (a promise to race against the attempt's control) instead of a plain one. */
const asyncHandler = process.env['ASYNC'] === '1';
const [events = 200_000, concurrency = 32, rounds = 3] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);

interface Payload {
  seq: number;
  body: string;
}
const schema: StandardSchemaV1<unknown, Payload> = {
  '~standard': {
    version: 1,
    vendor: 'probe',
    validate: (v) =>
      typeof v === 'object' && v !== null && typeof (v as Payload).seq === 'number'
        ? { value: v as Payload }
        : { issues: [{ message: 'not a probe payload' }] },
  },
};

/** A store whose claim, complete and fail cost nothing; the rest is the memory store's. */
function freeStore(total: number, onDone: () => void): { store: EventStore; reset: (n: number) => void } {
  const base = createMemoryStore();
  let left = total;
  let done = 0;
  let seq = 0;
  const payload = JSON.stringify({ seq: 0, body: 'x'.repeat(200) });
  const claim = async (request: ClaimRequest): Promise<readonly ClaimedMessage[]> => {
    const n = Math.min(request.limit, left);
    left -= n;
    const now = Date.now();
    const rows: ClaimedMessage[] = [];
    for (let i = 0; i < n; i++) {
      seq++;
      rows.push({
        eventId: `e${seq}`,
        messageType: 'IN_PROBE',
        table: request.table,
        status: 'IN_PROGRESS',
        createdBy: 'probe',
        updatedBy: request.updatedBy,
        createdAt: now,
        updatedAt: now,
        attempts: 1,
        maxAttempts: 5,
        availableAt: now,
        leaseOwner: request.owner,
        leaseExpiresAt: now + request.leaseMs,
        claimToken: `t${seq}`,
        lastError: null,
        orderingKey: null,
        groupKey: null,
        traceparent: null,
        priority: 0,
        payload,
      });
    }
    return rows;
  };
  const complete = async (requests: readonly CompleteRequest[]): Promise<readonly LeaseOutcome[]> => {
    done += requests.length;
    if (done >= total) onDone();
    return requests.map(() => 'ok' as const);
  };
  const store = new Proxy(base, {
    get(target, prop) {
      if (prop === 'claim') return claim;
      if (prop === 'complete') return complete;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store,
    reset: (n) => {
      left = n;
      done = 0;
      total = n;
    },
  };
}

async function main(): Promise<void> {
  const type = defineMessageType({ name: 'IN_PROBE', schema });
  let finish: () => void = () => undefined;
  const { store, reset } = freeStore(0, () => finish());
  const app = createEventyard({ store, messageTypes: [type], logger: silentLogger });
  let handled = 0;
  for (let round = 0; round <= rounds; round++) {
    reset(events);
    handled = 0;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const service = app.service({ name: 'PROBE', concurrency }).handle(
      type,
      asyncHandler
        ? async (ctx) => {
            handled += ctx.payload.seq >= 0 ? 1 : 0;
          }
        : (ctx) => {
            handled += ctx.payload.seq >= 0 ? 1 : 0;
          },
    );
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    service.start();
    await done;
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await service.stop();
    const us = (cpu.user + cpu.system) / events;
    const label = round === 0 ? 'warm-up' : `round ${round}`;
    console.log(
      `${label}: ${events} events, ${handled} handled, ${us.toFixed(2)} µs CPU/event, ${Math.round(events / (ms / 1000))} events/s`,
    );
  }
  await app.close();
}

await main();
