/**
 * Concurrent completion batches share one statement (complete.sql), as concurrent publishes
 * do (../publish-coalescer.ts), without a timer: a batch goes out at once while fewer than
 * two complete statements are on the wire; otherwise it waits for the next one to come back
 * and goes with every batch that waited alongside it. Each processor's outcome batcher
 * keeps one completion on the wire, so this only groups the batches of different
 * processors sharing the store (one per table and service: the stages of a pipeline), which
 * then pay one commit, one WAL flush and one round trip together. A lone batch never waits.
 *
 * Nothing changes for a request: complete.sql judges each request by its own fence, writes
 * its emits and working data only if its row completed, and a row named twice completes
 * once (the second request is lease_lost, as it would be in the next statement). When a
 * shared statement is refused by the server (`retryAlone`: one batch's input may be at
 * fault) each batch is sent again alone; a connection failure or a timeout rejects every
 * batch of the statement (each batcher retries; a completion that did commit reads as
 * lease_lost then, as after any lost reply).
 */
import type { CompleteRequest, LeaseOutcome } from '../../store/port.js';

interface Batch {
  readonly requests: readonly CompleteRequest[];
  readonly resolve: (outcomes: LeaseOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Two statements on the wire: one being answered while the next group forms. */
const MAX_IN_FLIGHT = 2;

export class CompleteCoalescer {
  #inFlight = 0;
  #waiting: Batch[] = [];

  constructor(
    private readonly write: (requests: readonly CompleteRequest[]) => Promise<LeaseOutcome[]>,
    /** Whether a failed shared statement was the server refusing input: then each batch is sent alone. */
    private readonly retryAlone: (error: unknown) => boolean,
  ) {}

  add(requests: readonly CompleteRequest[]): Promise<LeaseOutcome[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ requests, resolve, reject });
      if (this.#inFlight < MAX_IN_FLIGHT) this.#send();
    });
  }

  #send(): void {
    const group = this.#waiting;
    if (group.length === 0) return;
    this.#waiting = [];
    this.#inFlight++;
    const only = group.length === 1 ? group[0] : undefined;
    const sent = this.write(only ? only.requests : group.flatMap((batch) => batch.requests));
    sent
      .then(
        (outcomes) => {
          let at = 0;
          for (const batch of group) {
            batch.resolve(outcomes.slice(at, at + batch.requests.length));
            at += batch.requests.length;
          }
        },
        (error: unknown) => {
          if (only || !this.retryAlone(error)) {
            for (const batch of group) batch.reject(error);
            return;
          }
          for (const batch of group) this.write(batch.requests).then(batch.resolve, batch.reject);
        },
      )
      .finally(() => {
        this.#inFlight--;
        this.#send();
      });
  }
}
