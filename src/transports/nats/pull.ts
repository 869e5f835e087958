/**
 * JetStream pull requests, done directly so that no request outlives `receive`.
 *
 * Why not the client's `consume()`/`fetch()`: `consume()` keeps a pull request open on the
 * server after the client stops, and JetStream hands redeliveries (a nak on close) to
 * that dead request, where they wait out `ack_wait`; `fetch()` waits until its batch is
 * full or expires. Here a receive is a `no_wait` pull (what is there now), else a
 * one-message long poll followed by a `no_wait` pull for the rest. A message that lands
 * after the caller gave up (abort) is nak'ed at once, and `settled()` lets close wait for
 * every open request to end.
 */
import { createInbox, nanos, type Msg, type NatsConnection } from '@nats-io/transport-node';

export interface PullRequest {
  readonly batch: number;
  readonly expiresMs: number;
  readonly noWait: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Delivery metadata from the ack subject `$JS.ACK[.<domain>.<hash>].<stream>.<consumer>.<delivered>.<sseq>...`. */
export interface DeliveryInfo {
  readonly stream: string;
  readonly deliveryCount: number;
  readonly streamSequence: number;
}

export function deliveryInfo(reply: string | undefined): DeliveryInfo | undefined {
  const tokens = (reply ?? '').split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') return undefined;
  const at = tokens.length === 9 ? 2 : 4;
  const stream = tokens[at];
  const deliveryCount = Number(tokens[at + 2]);
  const streamSequence = Number(tokens[at + 3]);
  if (stream === undefined || !Number.isSafeInteger(deliveryCount) || !Number.isSafeInteger(streamSequence)) {
    return undefined;
  }
  return { stream, deliveryCount, streamSequence };
}

export class Puller {
  readonly #open = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
  ) {}

  /** Resolves with the messages delivered for this request (maybe none). */
  pull(request: PullRequest): Promise<Msg[]> {
    const inbox = createInbox();
    const messages: Msg[] = [];
    let returned = false;
    let resolveResult: (messages: Msg[]) => void = () => undefined;
    const result = new Promise<Msg[]>((resolve) => (resolveResult = resolve));
    const giveBack = (): void => {
      if (returned) return;
      returned = true;
      resolveResult(messages);
    };
    const ended = new Promise<void>((end) => {
      const sub = this.nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error !== null || isStatus(msg)) return finish();
          if (returned) {
            msg.respond('-NAK'); // the caller has gone: redeliver it now, not after ack_wait
            return;
          }
          messages.push(msg);
          if (messages.length >= request.batch) finish();
        },
      });
      const safety = setTimeout(finish, request.expiresMs + 2000);
      const onAbort = (): void => giveBack();
      request.signal?.addEventListener('abort', onAbort, { once: true });
      function finish(): void {
        clearTimeout(safety);
        request.signal?.removeEventListener('abort', onAbort);
        sub.unsubscribe();
        giveBack();
        end();
      }
    });
    const tracked = ended.finally(() => this.#open.delete(tracked));
    this.#open.add(tracked);
    // A no_wait pull carries no `expires`: with one, the server (2.9) holds it open until it
    // expires when nothing is there, instead of answering 404 at once. `expiresMs` still
    // bounds it here (the safety timer).
    const body = request.noWait
      ? { batch: request.batch, no_wait: true }
      : { batch: request.batch, expires: nanos(request.expiresMs) };
    this.nc.publish(this.subject, JSON.stringify(body), { reply: inbox });
    if (request.signal?.aborted === true) giveBack();
    return result;
  }

  /** Resolves when no pull request of this puller is open any more. */
  async settled(): Promise<void> {
    await Promise.all([...this.#open]);
  }
}

/** JetStream status messages (404 no messages, 408 timeout, 409 ...) end a pull request. */
function isStatus(msg: Msg): boolean {
  const headers = msg.headers;
  return headers !== undefined && headers.code >= 100 && msg.data.length === 0;
}
