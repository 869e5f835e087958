/**
 * Publishes from many concurrent callers coalesced into few script calls, without a timer:
 * a call goes out at once while fewer than `maxInFlight` publish calls are on the wire;
 * otherwise it waits for the next one to come back and goes with every call that waited
 * alongside it, in one script call (or one per 500 messages). A lone caller never waits, and
 * a waiting caller waits for no longer than a call already queued on the connection would
 * have. Each caller gets the results of its own messages, in order.
 *
 * When a coalesced call fails with an error the server itself answered (the store says which:
 * `retryAlone`; the input of one caller may be at fault), each caller's messages are sent
 * again on their own, so only the faulty caller rejects; publish is idempotent, so a message
 * the failed call had already written reads as an existing row (created: false). A connection
 * failure or a timeout rejects every caller of the call: sending again would only fail again,
 * later. Used by the Redis store (one script call) and the PostgreSQL store (one statement,
 * one commit and one notification for the group).
 */
import type { NewMessage, PublishResult } from '../store/port.js';

interface Call {
  readonly messages: readonly NewMessage[];
  readonly resolve: (results: PublishResult[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Two calls on the wire: one being answered while the next group forms. */
const MAX_IN_FLIGHT = 2;

export class PublishCoalescer {
  #inFlight = 0;
  #waiting: Call[] = [];

  constructor(
    private readonly write: (messages: readonly NewMessage[]) => Promise<PublishResult[]>,
    /** Whether a failed shared call was the server refusing input: then each caller is sent alone. */
    private readonly retryAlone: (error: unknown) => boolean,
  ) {}

  add(messages: readonly NewMessage[]): Promise<PublishResult[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ messages, resolve, reject });
      if (this.#inFlight < MAX_IN_FLIGHT) this.#send();
    });
  }

  #send(): void {
    const group = this.#waiting;
    if (group.length === 0) return;
    this.#waiting = [];
    this.#inFlight++;
    const only = group.length === 1 ? group[0] : undefined;
    const sent = this.write(only ? only.messages : group.flatMap((call) => call.messages));
    sent
      .then(
        (results) => {
          let at = 0;
          for (const call of group) {
            call.resolve(results.slice(at, at + call.messages.length));
            at += call.messages.length;
          }
        },
        (error: unknown) => {
          if (only || !this.retryAlone(error)) {
            for (const call of group) call.reject(error);
            return;
          }
          for (const call of group) this.write(call.messages).then(call.resolve, call.reject);
        },
      )
      .finally(() => {
        this.#inFlight--;
        this.#send();
      });
  }
}
