/**
 * A store wrapper that simulates a network pause in process: while paused, every call
 * (and every reply on its way back) waits, neither answering nor failing, until resume().
 * The in-process twin of tests/support/tcp-proxy.ts, for fast unit tests of the
 * processing layer's deadlines.
 */
import type { EventStore } from '../../src/index.js';

export interface PausableStore {
  readonly store: EventStore;
  pause(): void;
  resume(): void;
  /** Calls made while paused. */
  readonly heldCalls: number;
}

export function pausableStore(inner: EventStore): PausableStore {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let held = 0;
  const pass = async (): Promise<void> => {
    if (gate === undefined) return;
    held++;
    await gate;
  };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await pass();
      const result = await fn(...args);
      await pass();
      return result;
    };
  const store: EventStore = {
    features: inner.features,
    now: wrap(() => inner.now()),
    publish: wrap((m: Parameters<EventStore['publish']>[0]) => inner.publish(m)),
    claim: wrap((r: Parameters<EventStore['claim']>[0]) => inner.claim(r)),
    heartbeat: wrap((r: Parameters<EventStore['heartbeat']>[0], ms: number) => inner.heartbeat(r, ms)),
    complete: wrap((r: Parameters<EventStore['complete']>[0]) => inner.complete(r)),
    fail: wrap((r: Parameters<EventStore['fail']>[0]) => inner.fail(r)),
    release: wrap((r: Parameters<EventStore['release']>[0], by: string) => inner.release(r, by)),
    promoteDueRetries: wrap((n: number, by: string) => inner.promoteDueRetries(n, by)),
    reapExpiredLeases: wrap((r: Parameters<EventStore['reapExpiredLeases']>[0]) => inner.reapExpiredLeases(r)),
    redrive: wrap((f: Parameters<EventStore['redrive']>[0], by: string) => inner.redrive(f, by)),
    list: wrap((r: Parameters<EventStore['list']>[0]) => inner.list(r)),
    countByStatus: wrap((f?: Parameters<EventStore['countByStatus']>[0]) => inner.countByStatus(f)),
    getPayload: wrap((id: string) => inner.getPayload(id)),
    getWorkingData: wrap((id: string) => inner.getWorkingData(id)),
    purge: wrap((r: Parameters<EventStore['purge']>[0]) => inner.purge(r)),
    listParkedKeys: wrap((r: Parameters<EventStore['listParkedKeys']>[0]) => inner.listParkedKeys(r)),
    skipParkedHead: wrap((r: Parameters<EventStore['skipParkedHead']>[0]) => inner.skipParkedHead(r)),
    close: () => inner.close(),
  };
  return {
    store,
    pause() {
      gate ??= new Promise((resolve) => (open = resolve));
    },
    resume() {
      open?.();
      gate = undefined;
      open = undefined;
    },
    get heldCalls() {
      return held;
    },
  };
}
