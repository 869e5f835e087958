/**
 * Writes from many concurrent callers coalesced into few calls to the server, without a
 * timer: a call goes out at once while fewer than two are on the wire; otherwise it waits for
 * the next one to come back and goes with every call that waited alongside it, as one write
 * of all their items. A lone caller never waits, and a waiting caller waits for no longer
 * than a call already queued on the connection would have. Each caller gets the results of
 * its own items, in order.
 *
 * When a shared write comes back, its callers are answered and most write again at once (a
 * loop of publishes, a processor's next completion). The next write then waits for the end
 * of that turn of the event loop (`setImmediate`), so that they go together: sent at once,
 * the first of them went alone and the rest waited behind it, so that with 64 callers two
 * writes in three carried a single item.
 *
 * When a shared write fails with an error the server itself answered (the store says which:
 * `retryAlone`; the input of one caller may be at fault), each caller's items are sent again
 * on their own, so only the faulty caller rejects. A connection failure or a timeout rejects
 * every caller of the write: sending again would only fail again, later. So the write must be
 * safe to repeat for the items it may already have written:
 *
 * - publishes (the Redis store: one script call; the PostgreSQL store: one statement, one
 *   commit and one notification for the group): publish is idempotent, so a message the
 *   failed call had already written reads as an existing row (created: false);
 * - completions on PostgreSQL (complete.sql, one statement, one commit, one WAL flush for the
 *   batches of several processors: the stages of a pipeline; each processor's outcome batcher
 *   keeps one completion on the wire, so one processor alone never groups): each request is
 *   judged by its own fence, a row named twice completes once, and a completion that did
 *   commit reads as lease_lost when sent again, as after any lost reply.
 */

interface Call<I, R> {
  readonly items: readonly I[];
  readonly resolve: (results: R[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Two writes on the wire: one being answered while the next group forms. */
const MAX_IN_FLIGHT = 2;

export class Coalescer<I, R> {
  #inFlight = 0;
  #waiting: Call<I, R>[] = [];
  /** A shared write just came back: its callers may write again before this turn ends. */
  #gathering = false;

  constructor(
    /** Writes the items, returning one result per item, in order. */
    private readonly write: (items: readonly I[]) => Promise<R[]>,
    /** Whether a failed shared write was the server refusing input: then each caller is sent alone. */
    private readonly retryAlone: (error: unknown) => boolean,
  ) {}

  add(items: readonly I[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ items, resolve, reject });
      if (this.#inFlight < MAX_IN_FLIGHT && !this.#gathering) this.#send();
    });
  }

  #send(): void {
    const group = this.#waiting;
    if (group.length === 0) return;
    this.#waiting = [];
    this.#inFlight++;
    const only = group.length === 1 ? group[0] : undefined;
    const sent = this.write(only ? only.items : group.flatMap((call) => call.items));
    sent
      .then(
        (results) => {
          let at = 0;
          for (const call of group) {
            call.resolve(results.slice(at, at + call.items.length));
            at += call.items.length;
          }
        },
        (error: unknown) => {
          if (only || !this.retryAlone(error)) {
            for (const call of group) call.reject(error);
            return;
          }
          for (const call of group) this.write(call.items).then(call.resolve, call.reject);
        },
      )
      .finally(() => {
        this.#inFlight--;
        if (group.length === 1) {
          this.#send();
          return;
        }
        this.#gathering = true;
        setImmediate(() => {
          this.#gathering = false;
          if (this.#inFlight < MAX_IN_FLIGHT) this.#send();
        });
      });
  }
}
