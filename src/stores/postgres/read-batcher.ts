/**
 * Coalesces getWorkingData calls: the calls made in one turn of the event loop (the handlers
 * of a claimed batch usually ask at once) are answered by one statement for all their events,
 * instead of one round trip each. Every caller gets its own event's map; a failed statement
 * rejects every caller of that turn with its error. Reads stay reads of committed data, as
 * they were one at a time.
 */

/** Events per statement: bounded, so one turn with very many callers still sends modest arrays. */
export const READ_BATCH_MAX = 500;

export interface WorkingDataRow {
  readonly event_id: string;
  readonly name: string;
  readonly value: string;
}

interface Waiter {
  resolve(value: ReadonlyMap<string, string>): void;
  reject(error: unknown): void;
}

export class WorkingDataReads {
  #pending = new Map<string, Waiter[]>();
  #scheduled = false;

  constructor(private readonly fetch: (eventIds: string[]) => Promise<readonly WorkingDataRow[]>) {}

  get(eventId: string): Promise<ReadonlyMap<string, string>> {
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(eventId);
      if (waiters) waiters.push({ resolve, reject });
      else this.#pending.set(eventId, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = [...this.#pending];
    this.#pending = new Map();
    for (let i = 0; i < pending.length; i += READ_BATCH_MAX) void this.#answer(pending.slice(i, i + READ_BATCH_MAX));
  }

  async #answer(batch: readonly (readonly [string, Waiter[]])[]): Promise<void> {
    try {
      const rows = await this.fetch(batch.map(([id]) => id));
      const byEvent = new Map<string, Map<string, string>>();
      for (const r of rows) {
        const map = byEvent.get(r.event_id) ?? new Map<string, string>();
        byEvent.set(r.event_id, map);
        map.set(r.name, r.value);
      }
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(new Map(byEvent.get(id) ?? []));
    } catch (error) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(error);
    }
  }
}
