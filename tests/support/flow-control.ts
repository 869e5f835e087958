/**
 * Helpers of the flow-control tests: several apps ("processes") on one store, and waiting
 * on the store's clock.
 */
import { afterEach, beforeEach } from 'vitest';
import {
  createEventyard,
  silentLogger,
  type EventStore,
  type Eventyard,
  type MessageRow,
  type MessageType,
} from '../../src/index.js';
import type { OpenedStore, StoreFactory } from './store-factories.js';

/**
 * The store as an app may own it: `close()` does nothing, so several apps can share one
 * store and close in any order; the test disposes the real store once.
 */
export function sharedStore(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'close') return async () => undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Resolves once the store's clock reads at least `ms`. */
export async function untilStoreTime(store: EventStore, ms: number): Promise<void> {
  for (;;) {
    const now = await store.now();
    if (now >= ms) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms - now, 200)));
  }
}

/** Polls `probe` every 50 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every row of a message type (all pages). */
export async function rowsOf(store: EventStore, messageType: string): Promise<MessageRow[]> {
  const rows: MessageRow[] = [];
  let after: string | undefined;
  do {
    const page = await store.list({ messageType, limit: 500, ...(after === undefined ? {} : { after }) });
    rows.push(...page.rows);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return rows;
}

/**
 * Registers, in the calling describe block, a fresh store per test and closes every app
 * opened on it: `newApp()` is one more "process" on the test's store.
 */
export function appsOnOneStore<T extends MessageType>(
  factory: StoreFactory,
  messageTypes: readonly T[],
): { readonly store: () => EventStore; readonly newApp: () => Eventyard<T> } {
  let opened: OpenedStore | undefined;
  const apps: Eventyard<T>[] = [];
  beforeEach(async () => {
    opened = await factory.open();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await opened?.dispose();
  });
  const store = (): EventStore => {
    if (opened === undefined) throw new Error('no store: call inside a test');
    return opened.store;
  };
  return {
    store,
    newApp() {
      const app = createEventyard({ store: sharedStore(store()), messageTypes, logger: silentLogger });
      apps.push(app);
      return app;
    },
  };
}
