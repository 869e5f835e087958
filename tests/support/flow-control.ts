/**
 * Helpers of the flow-control tests: several apps ("processes") on one store, and waiting
 * on the store's clock.
 */
import type { EventStore, MessageRow } from '../../src/index.js';

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
