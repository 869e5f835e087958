/** W3C `traceparent` text to and from OpenTelemetry span contexts. */
import { ROOT_CONTEXT, isSpanContextValid, trace, type Context, type SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context a `traceparent` names, or undefined when it is absent or invalid. */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  const match = value == null ? null : TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const context: SpanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16),
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}

/** A context whose active span is the remote `parent` (for starting children of it). */
export function remoteContext(parent: SpanContext): Context {
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

/** The `traceparent` of a span context, or undefined when it is not valid (no tracing). */
export function formatTraceparent(context: SpanContext): string | undefined {
  if (!isSpanContextValid(context)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
