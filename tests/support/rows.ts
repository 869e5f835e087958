/** Reads every row of a store, page by page. */
import type { EventStore, MessageRow, RowFilter } from '../../src/index.js';

export async function allRows(store: EventStore, filter: RowFilter = {}): Promise<MessageRow[]> {
  const rows: MessageRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list({ ...filter, limit: 5000, after });
    rows.push(...page.rows);
    if (page.next === null) return rows;
    after = page.next;
  }
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
