/**
 * OpenTelemetry traces for Eventyard (`eventyard/tracing`, needs `@opentelemetry/api`):
 * `createEventyard({ ..., tracer: createTracer() })`. Spans, with the messaging semantic
 * conventions' attributes:
 *
 * - `publish <TYPE>` (producer): each row written by `app.publish`, a child of the active
 *   context (or of the `traceparent` option); the row's TRACEPARENT is this span.
 * - `process <TYPE>` (consumer): each attempt, a child of the row's TRACEPARENT and linked
 *   to it; the handler runs with it active, so the user's own spans nest under it.
 * - `emit <TYPE>` (producer): each message a handler emits, under its attempt; ended when
 *   the completion is written (or, when the attempt fails, with an error: nothing written).
 * - `send <topic>` (producer): the outbound processor publishing a row to the broker; the
 *   message's `traceparent` header is this span.
 * - `receive <topic>` (consumer): the inbound processor writing a broker message into the
 *   inbound table, a child of the header's context; the inbound row carries this span on.
 *
 * The library depends on the API only. With no tracer provider registered (and none
 * given), the API's no-op tracer makes every span a non-recording one that passes the
 * incoming context through unchanged; leaving `tracer` out of the app's options skips
 * even that.
 */
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { AttemptSpan, BrokerHop, MessageTracer, TraceSpan } from '../processing/tracing.js';
import type { ClaimedMessage, NewMessage } from '../store/port.js';
import { formatTraceparent, parseTraceparent, remoteContext } from './traceparent.js';

export interface TracerOptions {
  /** Where spans go. @defaultValue the globally registered provider (`trace.getTracerProvider()`) */
  readonly tracerProvider?: TracerProvider | undefined;
}

/** `messaging.system` of spans about the store's event tables. */
export const MESSAGING_SYSTEM = 'eventyard';

export function createTracer(options: TracerOptions = {}): MessageTracer {
  const provider = options.tracerProvider;
  let cached: Tracer | undefined;
  // Looked up on first use, so a provider registered after the app was created is used.
  const tracer = (): Tracer => (cached ??= (provider ?? trace.getTracerProvider()).getTracer('eventyard'));

  const start = (name: string, kind: SpanKind, attributes: Attributes, parent: Context, links?: Link[]): Span =>
    tracer().startSpan(name, { kind, attributes, ...(links ? { links } : {}) }, parent);

  const parentOf = (traceparent: string | null | undefined): { parent: Context; links: Link[] | undefined } => {
    const remote = parseTraceparent(traceparent);
    return remote === undefined
      ? { parent: context.active(), links: undefined }
      : { parent: remoteContext(remote), links: [{ context: remote }] };
  };

  const producerOf = (span: Span): TraceSpan => ({
    traceparent: formatTraceparent(span.spanContext()),
    end: (error) => finish(span, error),
  });

  return {
    publish(row, service) {
      const { parent } = parentOf(row.traceparent);
      return producerOf(
        start(`publish ${row.messageType}`, SpanKind.PRODUCER, rowAttributes(row, service, 'publish'), parent),
      );
    },

    attempt(message, service) {
      const { parent, links } = parentOf(message.traceparent);
      const span = start(
        `process ${message.messageType}`,
        SpanKind.CONSUMER,
        attemptAttributes(message, service),
        parent,
        links,
      );
      const active = trace.setSpan(parent, span);
      const emits: Span[] = [];
      const attempt: AttemptSpan = {
        run: (fn) => context.with(active, fn),
        emit(row: NewMessage) {
          const emitSpan = start(
            `emit ${row.messageType}`,
            SpanKind.PRODUCER,
            rowAttributes(row, service, 'emit'),
            active,
          );
          emits.push(emitSpan);
          return formatTraceparent(emitSpan.spanContext());
        },
        end(outcome, error) {
          const unwritten =
            outcome === 'completed' ? undefined : new Error(`not written: the attempt ended ${outcome}`);
          for (const e of emits) finish(e, unwritten);
          span.setAttribute('eventyard.outcome', outcome);
          finish(span, error ?? (outcome === 'completed' ? undefined : new Error(outcome)));
        },
      };
      return attempt;
    },

    brokerPublish(hop) {
      const { parent } = parentOf(hop.traceparent);
      return producerOf(start(`send ${hop.topic}`, SpanKind.PRODUCER, hopAttributes(hop, 'send', 'send'), parent));
    },

    brokerReceive(hop) {
      const { parent, links } = parentOf(hop.traceparent);
      const attributes = hopAttributes(hop, 'receive', 'receive');
      return producerOf(start(`receive ${hop.topic}`, SpanKind.CONSUMER, attributes, parent, links));
    },
  };
}

function finish(span: Span, error: Error | undefined): void {
  if (error !== undefined) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

function rowAttributes(row: NewMessage, service: string, operation: 'publish' | 'emit'): Attributes {
  return {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'send',
    'messaging.operation.name': operation,
    'messaging.destination.name': row.messageType,
    'messaging.message.id': `${row.eventId}:${row.messageType}`,
    'messaging.message.conversation_id': row.eventId,
    'eventyard.table': row.table,
    'eventyard.service': service,
  };
}

function attemptAttributes(message: ClaimedMessage, service: string): Attributes {
  return {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': message.messageType,
    'messaging.consumer.group.name': service,
    'messaging.message.id': `${message.eventId}:${message.messageType}`,
    'messaging.message.conversation_id': message.eventId,
    'messaging.message.delivery_count': message.attempts,
    'eventyard.table': message.table,
    'eventyard.service': service,
    'eventyard.attempt': message.attempts,
    'eventyard.max_attempts': message.maxAttempts,
  };
}

function hopAttributes(hop: BrokerHop, type: 'send' | 'receive', name: string): Attributes {
  const attributes: Attributes = {
    'messaging.system': hop.system,
    'messaging.operation.type': type,
    'messaging.operation.name': name,
    'messaging.destination.name': hop.topic,
    'messaging.message.id': hop.messageId,
  };
  if (hop.eventId !== undefined) attributes['messaging.message.conversation_id'] = hop.eventId;
  if (hop.messageType !== undefined) attributes['eventyard.message_type'] = hop.messageType;
  return attributes;
}
