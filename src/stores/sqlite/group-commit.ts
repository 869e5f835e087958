/**
 * Group commit: the first call of a turn of the event loop is written at once, by itself;
 * calls that come after it in the same turn (until the microtask queue drains: say 64
 * concurrent publishes) wait for the end of it and are written by one `write` of all their
 * items together. Each call gets back the results of its own items, in order. So a lone
 * call costs nothing extra and concurrent calls share one transaction.
 *
 * When a group's write fails, one call's items may be at fault (a value SQLite refuses):
 * unless `separately(error)` says the failure is not about the items (a busy or failing
 * database, which would only fail each call again), each call of the group is then written
 * on its own, so only the faulty call rejects.
 */
type Call<I, R> = { items: readonly I[]; resolve: (results: R[]) => void; reject: (error: unknown) => void };

export class GroupCommit<I, R> {
  #pending: Call<I, R>[] = [];
  /** A call was written in this turn: the next ones of the turn wait and go together. */
  #turnStarted = false;

  constructor(
    private readonly write: (items: readonly I[]) => R[],
    private readonly separately: (error: unknown) => boolean,
  ) {}

  add(items: readonly I[]): Promise<R[]> {
    if (!this.#turnStarted) {
      this.#turnStarted = true;
      queueMicrotask(() => {
        this.#turnStarted = false;
        this.flush();
      });
      // Written now: the executor runs synchronously.
      return new Promise((resolve, reject) => this.#writeOne({ items, resolve, reject }));
    }
    return new Promise((resolve, reject) => this.#pending.push({ items, resolve, reject }));
  }

  /** Writes the calls waiting now (the store's close calls it too). */
  flush(): void {
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    if (group.length === 1) return this.#writeOne(group[0] as Call<I, R>);
    let results: R[];
    try {
      results = this.write(group.flatMap((call) => call.items));
    } catch (error) {
      if (this.separately(error)) {
        for (const call of group) this.#writeOne(call);
      } else {
        for (const call of group) call.reject(error);
      }
      return;
    }
    let at = 0;
    for (const call of group) {
      call.resolve(results.slice(at, at + call.items.length));
      at += call.items.length;
    }
  }

  #writeOne(call: Call<I, R>): void {
    let results: R[];
    try {
      results = this.write(call.items);
    } catch (error) {
      call.reject(error);
      return;
    }
    call.resolve(results);
  }
}
