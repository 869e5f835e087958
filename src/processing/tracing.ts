/**
 * The tracing port: what the app, its processors and the broker processors ask of a
 * tracer, with no tracing library in sight. `eventyard/tracing` implements it with
 * OpenTelemetry; without a tracer (the default) none of this runs.
 *
 * Trace context travels in W3C `traceparent` form: on each message row (TRACEPARENT) and
 * in broker message headers. A span's `traceparent` is what the next hop is written with,
 * so one event's publish, attempts, emits and broker hops form one trace.
 */
import type { ClaimedMessage, NewMessage } from '../store/port.js';

/** A started span; `end` once, with the error when the operation failed. */
export interface TraceSpan {
  /** The context to write on what this operation produces, or undefined to keep what was there. */
  readonly traceparent: string | undefined;
  end(error?: Error): void;
}

/** One attempt at one claimed row. */
export interface AttemptSpan {
  /** Runs `fn` (the handler) with this span as the active context. */
  run<T>(fn: () => T): T;
  /** A handler's emit: a producer span under this attempt; returns the emitted row's TRACEPARENT. */
  emit(row: NewMessage): string | undefined;
  /** Ends the attempt span and its emits' spans (emits are written only when `outcome` is completed). */
  end(outcome: 'completed' | 'retry' | 'failed' | 'lease_lost' | 'store_error', error?: Error): void;
}

/** A broker message the outbound processor publishes or the inbound processor receives. */
export interface BrokerHop {
  /** `kafka`, `rabbitmq`, `nats`. */
  readonly system: string;
  readonly topic: string;
  /** The broker's or the producer's id of the message. */
  readonly messageId: string;
  readonly eventId: string | undefined;
  readonly messageType: string | undefined;
  /** The context the message carries (outbound: the row's; inbound: the header's). */
  readonly traceparent: string | undefined;
}

export interface MessageTracer {
  /** A row written by `publish` (`service` is its CREATED_BY). */
  publish(row: NewMessage, service: string): TraceSpan;
  /** A claimed row's attempt in `service`. */
  attempt(message: ClaimedMessage, service: string): AttemptSpan;
  /** The outbound processor publishing one message; `traceparent` goes into its headers. */
  brokerPublish(hop: BrokerHop): TraceSpan;
  /** The inbound processor receiving one message; `traceparent` goes onto the inbound row. */
  brokerReceive(hop: BrokerHop): TraceSpan;
}
