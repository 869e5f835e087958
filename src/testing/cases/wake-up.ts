/** The optional wake-up hint `waitForMessages` (only for stores that define it). */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { EventStore } from '../../store/port.js';
import { newMessage, sleep } from '../builders.js';

type Wait = NonNullable<EventStore['waitForMessages']>;

function waitOf(store: EventStore): Wait {
  assert.ok(store.waitForMessages !== undefined, 'the store has no waitForMessages');
  return (table, timeoutMs, signal) => store.waitForMessages?.(table, timeoutMs, signal) ?? Promise.resolve();
}

/** Milliseconds until `promise` settles, whether it resolves or rejects. */
async function settleTime(promise: Promise<void>): Promise<number> {
  const start = performance.now();
  await promise.catch(() => undefined);
  return performance.now() - start;
}

export const wakeUpCases: readonly ConformanceCase[] = [
  {
    name: 'waitForMessages: resolves soon after a publish to that table',
    requires: 'waitForMessages',
    async run({ store, timing }) {
      const wait = waitOf(store);
      const controller = new AbortController();
      const waiting = settleTime(wait('request', 30_000, controller.signal));
      await sleep(50);
      await store.publish([newMessage()]);
      const tookMs = await Promise.race([waiting, sleep(timing.wakeUpMs * 3).then(() => Infinity)]);
      controller.abort();
      assert.ok(tookMs < 50 + timing.wakeUpMs, `waitForMessages took ${tookMs} ms after a publish`);
    },
  },
  {
    name: 'waitForMessages: resolves on timeout without a publish',
    requires: 'waitForMessages',
    async run({ store, timing }) {
      const wait = waitOf(store);
      const start = performance.now();
      await wait('request', 200, new AbortController().signal);
      const tookMs = performance.now() - start;
      assert.ok(tookMs >= 150, `resolved after ${tookMs} ms, before its 200 ms timeout`);
      assert.ok(tookMs < 200 + timing.wakeUpMs, `resolved after ${tookMs} ms, long after its 200 ms timeout`);
    },
  },
  {
    name: 'waitForMessages: settles promptly on abort, and at once when already aborted',
    requires: 'waitForMessages',
    async run({ store, timing }) {
      const wait = waitOf(store);
      const controller = new AbortController();
      const waiting = settleTime(wait('request', 30_000, controller.signal));
      await sleep(50);
      controller.abort();
      const tookMs = await Promise.race([waiting, sleep(timing.wakeUpMs * 3).then(() => Infinity)]);
      assert.ok(tookMs < 50 + timing.wakeUpMs, `took ${tookMs} ms to settle after abort`);
      const aborted = new AbortController();
      aborted.abort();
      const immediateMs = await Promise.race([
        settleTime(wait('request', 30_000, aborted.signal)),
        sleep(timing.wakeUpMs * 3).then(() => Infinity),
      ]);
      assert.ok(immediateMs < timing.wakeUpMs, `took ${immediateMs} ms with an aborted signal`);
    },
  },
];
