/**
 * OutageWatch: one warning when a server stops answering, one line when it answers again,
 * nothing per failed call; and a call sent during an outage that fails after the recovery
 * (its deadline passed just after another call was answered) opens no second outage.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { EventyardError, ErrorCode } from '../../src/index.js';
import { OutageWatch, storeWithDeadline } from '../../src/processing/store-deadline.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { recordingLogger } from '../support/outage-log.js';

const DOWN = 'the store does not answer; reporting unhealthy until it does';
const BACK = 'the store answers again; reporting healthy';
const unavailable = (): EventyardError => new EventyardError(ErrorCode.STORE_UNAVAILABLE, 'no answer');

describe('OutageWatch', () => {
  it('one warning per outage and one line when it ends, whatever the number of failed calls', () => {
    const logger = recordingLogger();
    const watch = new OutageWatch(logger, 'service A');
    expect(watch.failed('claim', unavailable())).toBe(true);
    expect(watch.failed('claim', unavailable())).toBe(false);
    expect(watch.healthy).toBe(false);
    watch.answered();
    watch.answered();
    expect(watch.healthy).toBe(true);
    expect(logger.lines.map((l) => l.msg)).toEqual([DOWN, BACK]);
    expect(logger.lines[1]?.fields).toMatchObject({ failedCalls: 2 });
  });

  it('a call sent before the recovery that fails after it opens no new outage; one sent after it does', () => {
    const logger = recordingLogger();
    const watch = new OutageWatch(logger, 'service A');
    watch.failed('claim', unavailable());
    const sentDuringOutage = performance.now();
    watch.answered(); // another call got through: the outage is over
    expect(watch.failed('complete', unavailable(), sentDuringOutage)).toBe(false);
    expect(watch.healthy).toBe(true);
    const sentAfter = performance.now();
    expect(watch.failed('claim', unavailable(), sentAfter)).toBe(true);
    expect(watch.healthy).toBe(false);
    expect(logger.lines.map((l) => l.msg)).toEqual([DOWN, BACK, DOWN]);
  });

  it('through storeWithDeadline: a call that outlives the recovery is not a second outage', async () => {
    const logger = recordingLogger();
    const watch = new OutageWatch(logger, 'service A');
    const inner = createSqliteStore({ path: ':memory:' });
    let hang = true;
    // now() hangs while `hang`: each call misses the 30 ms deadline.
    const slow = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'now') {
          return () => (hang ? new Promise<number>(() => undefined) : target.now());
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const store = storeWithDeadline(slow, 30, watch);
    await expect(store.now()).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
    const late = store.now(); // sent during the outage; misses its deadline after the recovery
    hang = false;
    await store.now(); // answered: the outage ends
    hang = true;
    await expect(late).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
    expect(watch.healthy).toBe(true);
    expect(logger.lines.map((l) => l.msg)).toEqual([DOWN, BACK]);
    await inner.close();
  });
});
