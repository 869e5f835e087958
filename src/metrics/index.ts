/**
 * Prometheus metrics for an Eventyard app (`eventyard/metrics`, needs `prom-client`):
 * counters and histograms fed by the app's hooks, backlog gauges read from the store at
 * scrape time. Mount `handler` on `/metrics`, or read the registry yourself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { Eventyard } from '../app.js';
import { option, resolveOptions, type OptionsInput } from '../core/options.js';
import { backlogGauges } from './backlog.js';
import { HANDLER_BUCKETS, LATENCY_BUCKETS, instrumentHooks } from './instruments.js';

const isRegistry = (v: unknown): v is Registry => v instanceof Registry;
const isApp = (v: unknown): v is Eventyard =>
  typeof v === 'object' && v !== null && typeof (v as Eventyard).on === 'function';
const isBuckets = (v: unknown): v is readonly number[] =>
  Array.isArray(v) && v.length > 0 && v.every((b, i) => typeof b === 'number' && b > 0 && (i === 0 || b > v[i - 1]));

const metricsSchema = {
  /** The app whose services are measured (its hooks) and whose store is counted (backlog). */
  app: option.required(option.custom('an Eventyard app', isApp)),
  /**
   * Where the metrics are registered; pass prom-client's `register` to share the default one.
   * @defaultValue a new Registry
   */
  registry: option.optional(option.custom('a prom-client Registry', isRegistry)),
  /**
   * Metric name prefix.
   * @defaultValue 'eventyard_'
   */
  prefix: option.string({ pattern: /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, default: 'eventyard_' }),
  /**
   * Read the backlog gauges from the store at scrape time.
   * @defaultValue true
   */
  backlog: option.boolean({ default: true }),
  /**
   * A backlog read younger than this is served again without asking the store.
   * @defaultValue 5000
   */
  backlogCacheMs: option.int({ min: 0, max: 3_600_000, default: 5_000 }),
  /**
   * Deadline of a backlog read; past it the scrape gets the previous values.
   * @defaultValue 2000
   */
  backlogTimeoutMs: option.int({ min: 1, max: 60_000, default: 2_000 }),
  /**
   * Buckets of `handler_duration_seconds`, ascending.
   * @defaultValue 1 ms to 60 s
   */
  handlerBuckets: option.custom('ascending positive numbers', isBuckets, { default: HANDLER_BUCKETS }),
  /**
   * Buckets of the publish → start and publish → completed latencies, ascending.
   * @defaultValue 1 ms to 600 s
   */
  latencyBuckets: option.custom('ascending positive numbers', isBuckets, { default: LATENCY_BUCKETS }),
};
export type MetricsOptions = OptionsInput<typeof metricsSchema>;

export interface EventyardMetrics {
  readonly registry: Registry;
  /** The exposition format's Content-Type. */
  readonly contentType: string;
  /** The exposition text (reads the backlog gauges, within their cache and deadline). */
  text(): Promise<string>;
  /** A node:http handler serving `text()`; mount it on `/metrics` (express and fastify's `raw` take it too). */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Stops listening to the app's hooks (the registry keeps the metrics). */
  close(): void;
}

export function createMetrics(input: MetricsOptions): EventyardMetrics {
  const o = resolveOptions('metrics', metricsSchema, input);
  const registry = o.registry ?? new Registry();
  const off = instrumentHooks(o.app, {
    registry,
    prefix: o.prefix,
    handlerBuckets: o.handlerBuckets,
    latencyBuckets: o.latencyBuckets,
  });
  if (o.backlog) {
    backlogGauges(o.app, {
      registry,
      prefix: o.prefix,
      cacheMs: o.backlogCacheMs,
      timeoutMs: o.backlogTimeoutMs,
      now: Date.now,
    });
  }
  const text = (): Promise<string> => registry.metrics();
  return {
    registry,
    contentType: registry.contentType,
    text,
    handler(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      text().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics collection failed: ${(error as Error).message}`);
        },
      );
    },
    close: off,
  };
}
