/** The OpenTelemetry SDK's in-memory exporter, and the span tree of what it recorded. */
import { SpanStatusCode, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export interface Recorder {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** A provider exporting to memory; registers an AsyncLocalStorage context manager once. */
export function recordSpans(): Recorder {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, exporter, spans: () => exporter.getFinishedSpans() };
}

/** The parent's span id, or undefined for a root span. */
export const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

/**
 * The tree as indented lines (`name` per span, children sorted by start time), from the
 * roots: compact to compare with an expected shape.
 */
export function tree(spans: readonly ReadableSpan[]): string[] {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = parentId(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (key: string | undefined, depth: number): void => {
    const list = [...(children.get(key) ?? [])].sort(
      (a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1],
    );
    for (const span of list) {
      lines.push(`${'  '.repeat(depth)}${span.name}${span.status.code === SpanStatusCode.ERROR ? ' (error)' : ''}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}
