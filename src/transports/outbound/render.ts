/** Turns a claimed outbound row into the broker message that carries it. */
import { encodePayload, parseJson, type PayloadLimits } from '../../core/payload.js';
import { ErrorCode, NonRetryableError, isEventyardError } from '../../core/errors.js';
import type { ClaimedMessage, EventStore } from '../../store/port.js';
import { Header } from '../headers.js';
import type { OutgoingMessage } from '../port.js';
import type { OutboundRoute } from './options.js';

/** Outbound bodies are not size-limited again here: the payload passed the limits when written. */
const RENDER_LIMITS: PayloadLimits = { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: 10_000 };

export async function renderOutgoing(
  row: ClaimedMessage,
  route: OutboundRoute,
  store: EventStore,
): Promise<OutgoingMessage> {
  const headers: Record<string, string> = {
    [Header.EVENT_ID]: row.eventId,
    [Header.MESSAGE_TYPE]: row.messageType,
    [Header.CREATED_BY]: row.createdBy,
  };
  if (row.traceparent !== null) headers[Header.TRACEPARENT] = row.traceparent;
  return {
    // Stable across retries: RabbitMQ message-id, NATS Nats-Msg-Id (publish de-duplication).
    id: `${row.eventId}:${row.messageType}`,
    key: row.orderingKey ?? row.eventId,
    headers,
    body: await renderBody(row, route, store),
  };
}

async function renderBody(row: ClaimedMessage, route: OutboundRoute, store: EventStore): Promise<Buffer> {
  if (route.render === undefined) return Buffer.from(row.payload ?? 'null', 'utf8');
  try {
    const value = await route.render({
      eventId: row.eventId,
      messageType: row.messageType,
      createdBy: row.createdBy,
      attempt: row.attempts,
      payload: row.payload === null ? null : parseJson(row.payload),
      async workingData() {
        const raw = await store.getWorkingData(row.eventId);
        return new Map([...raw].map(([name, text]) => [name, parseJson(text)]));
      },
    });
    return Buffer.from(encodePayload(value, RENDER_LIMITS), 'utf8');
  } catch (error) {
    if (isEventyardError(error, ErrorCode.STORE_UNAVAILABLE)) throw error; // the store, not the row: retry
    throw new NonRetryableError(`render of ${row.messageType} failed: ${(error as Error).message}`, { cause: error });
  }
}
