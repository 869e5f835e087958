/** Receiving helpers of the broker conformance suite. */
import type { BrokerConsumer, BrokerMessage, OutgoingMessage } from '../port.js';
import type { BrokerConformanceTiming } from './types.js';

export const SENTINEL_HEADER = 'ey-conformance-sentinel';

/** `count` messages with bodies `prefix-0` ... and a numbered `seq` header. */
export function numbered(count: number, prefix: string, key?: string): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    key,
    headers: { seq: String(i) },
    body: Buffer.from(`${prefix}-${i}`),
  }));
}

export function sentinel(key?: string): OutgoingMessage {
  return { key, headers: { [SENTINEL_HEADER]: '1' }, body: Buffer.from('sentinel') };
}

export const isSentinel = (m: BrokerMessage): boolean => m.headers[SENTINEL_HEADER] === '1';
export const bodyText = (m: BrokerMessage): string => m.body.toString('utf8');

/**
 * Receives until `done(received)` holds, then for a quiet period more (extras are kept
 * and returned, for the case to count), or until the deadline. Acknowledges nothing.
 */
export async function collect(
  consumer: BrokerConsumer,
  timing: BrokerConformanceTiming,
  done: (received: readonly BrokerMessage[]) => boolean,
): Promise<BrokerMessage[]> {
  const received: BrokerMessage[] = [];
  const deadline = Date.now() + timing.deadlineMs;
  while (!done(received) && Date.now() < deadline) {
    received.push(...(await consumer.receive({ max: 100, maxWaitMs: timing.receiveWaitMs })));
  }
  if (!done(received)) return received;
  const quietUntil = Date.now() + timing.quietMs;
  while (Date.now() < quietUntil) {
    received.push(...(await consumer.receive({ max: 100, maxWaitMs: Math.max(1, quietUntil - Date.now()) })));
  }
  return received;
}

/** Receives until `count` messages came (plus the quiet period). */
export function collectCount(
  consumer: BrokerConsumer,
  timing: BrokerConformanceTiming,
  count: number,
): Promise<BrokerMessage[]> {
  return collect(consumer, timing, (r) => r.length >= count);
}

/** Receives until the sentinel came (plus the quiet period). */
export function collectToSentinel(consumer: BrokerConsumer, timing: BrokerConformanceTiming): Promise<BrokerMessage[]> {
  return collect(consumer, timing, (r) => r.some(isSentinel));
}

/** Sorted bodies, for comparing multisets of messages. */
export function sortedBodies(messages: readonly BrokerMessage[]): string[] {
  return messages.map(bodyText).sort();
}
