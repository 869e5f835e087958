/**
 * What eventyard/metrics adds to each message, without the store: the hook events one
 * message causes in a drain (its share of a 64-row `claimed`, then `started` and
 * `completed`) are emitted through the same Hooks class the processor uses, with the
 * metrics' listeners attached (B) and with no listener (A), alternating; prints µs per
 * message, medians over the rounds.
 *
 *   node --import tsx tests/support/metrics-hook-cost.ts [rounds=7] [messages=200000]
 */
import { performance } from 'node:perf_hooks';
import type { Eventyard } from '../../src/index.js';
import { silentLogger } from '../../src/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { Hooks, type HookMessage } from '../../src/processing/hooks.js';

const [roundsArg = '7', messagesArg = '200000'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const messages = Number(messagesArg);

const message: HookMessage = {
  eventId: '0190a6f0-0000-7000-8000-000000000000',
  messageType: 'IN_BENCH',
  table: 'inbound',
  attempts: 1,
  maxAttempts: 5,
  createdAt: Date.now(),
  createdBy: 'UPSTREAM',
  orderingKey: null,
  traceparent: null,
};
const batch: HookMessage[] = Array.from({ length: 64 }, () => message);

/** Emits what the processor emits for `n` messages (when someone listens), as it does. */
function drive(hooks: Hooks, n: number): number {
  const began = performance.now();
  for (let i = 0; i < n; i += 64) {
    if (hooks.listening('claimed'))
      hooks.emit('claimed', { service: 'S', table: 'inbound', messages: batch, claimMs: 1 });
    for (let j = 0; j < 64; j++) {
      const now = Date.now();
      if (hooks.listening('started')) hooks.emit('started', { service: 'S', message, startedAt: now });
      if (hooks.listening('completed')) {
        hooks.emit('completed', {
          service: 'S',
          message,
          startedAt: now,
          handlerMs: 0.05,
          finishedAt: now,
          emitted: 0,
        });
      }
    }
  }
  return ((performance.now() - began) * 1000) / n;
}

const plain = new Hooks(silentLogger);
const measured = new Hooks(silentLogger);
// createMetrics needs only on() from the app when the backlog gauges are off.
const app = { on: measured.on.bind(measured) } as unknown as Eventyard;
const metrics = createMetrics({ app, backlog: false });
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] as number;
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const ra = drive(plain, messages);
  const rb = drive(measured, messages);
  if (r === 0) continue; // warm-up
  a.push(ra);
  b.push(rb);
}
const text = await metrics.text();
const counted = /eventyard_messages_completed_total\{[^}]*\} (\d+)/.exec(text)?.[1];
if (Number(counted) !== (rounds + 1) * messages) throw new Error(`completed counted ${counted}`);
console.log(
  `µs per message, median of ${rounds} rounds of ${messages}: no listener ${median(a).toFixed(3)}, ` +
    `metrics ${median(b).toFixed(3)}, added ${(median(b) - median(a)).toFixed(3)}`,
);
