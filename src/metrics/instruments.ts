/**
 * The counters and histograms fed by an app's hooks. Every label set is small and known
 * (message type, service, an outcome reason), so the series count is bounded by the
 * declared message types times the services.
 */
import type { Registry } from 'prom-client';
import type { Eventyard } from '../app.js';
import { MessageCounter, MessageHistogram } from './series.js';

/** Handler durations: 1 ms to 1 minute. */
export const HANDLER_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** Row written → handler started / outcome written: 1 ms to 10 minutes (retries wait). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

export interface InstrumentOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly handlerBuckets: readonly number[];
  readonly latencyBuckets: readonly number[];
}

/** Registers the hook-fed instruments and subscribes them; returns the unsubscribe function. */
export function instrumentHooks(app: Eventyard, o: InstrumentOptions): () => void {
  const { registry } = o;
  const counter = (name: string, help: string, extraLabel?: string): MessageCounter =>
    new MessageCounter({ name: o.prefix + name, help, extraLabel, registry });
  const histogram = (name: string, help: string, buckets: readonly number[], extraLabel?: string) =>
    new MessageHistogram({ name: o.prefix + name, help, extraLabel, registry }, buckets);

  const published = counter('messages_published_total', 'Message rows written by publish or by a handler emit.', 'via');
  const claimed = counter('messages_claimed_total', 'Message rows claimed by a processor.');
  const completed = counter('messages_completed_total', 'Attempts that completed (row COMPLETED).');
  const retried = counter(
    'messages_retried_total',
    'Attempts that failed with attempts left (row ERROR, retried after its backoff).',
  );
  const failed = counter('messages_failed_total', 'Attempts that left the row FAILED.', 'reason');
  const released = counter('messages_released_total', 'Claimed rows given back unstarted (no attempt counted).');
  const rateLimited = counter(
    'rate_limit_waits_total',
    'Times a processor found a rate limit without a token and waited (per-group: once per group and claim).',
  );
  const rateDelayed = counter(
    'messages_rate_delayed_total',
    'Claimed rows released unstarted to wait for their per-group rate-limit slot (no attempt counted).',
  );
  const leaseLost = counter(
    'messages_lease_lost_total',
    'Attempts whose outcome was not written (lease lost or store failing).',
    'reason',
  );
  const handlerSeconds = histogram(
    'handler_duration_seconds',
    'How long handlers ran, by outcome.',
    o.handlerBuckets,
    'outcome',
  );
  const startSeconds = histogram(
    'message_start_latency_seconds',
    'From the row being written to its handler starting (every attempt).',
    o.latencyBuckets,
  );
  const completionSeconds = histogram(
    'message_completion_latency_seconds',
    'From the row being written to its COMPLETED outcome being written.',
    o.latencyBuckets,
  );
  const seconds = (ms: number): number => Math.max(0, ms) / 1000;

  const off = [
    app.on('published', (e) => {
      if (e.created === false) return; // the row existed: nothing was written
      published.series(e.service, e.messageType, e.via).value++;
    }),
    app.on('claimed', (e) => {
      for (const m of e.messages) claimed.series(e.service, m.messageType).value++;
    }),
    app.on('started', (e) => {
      startSeconds.observe(e.service, e.message.messageType, seconds(e.startedAt - e.message.createdAt));
    }),
    app.on('completed', (e) => {
      const { messageType, createdAt } = e.message;
      completed.series(e.service, messageType).value++;
      handlerSeconds.observe(e.service, messageType, e.handlerMs / 1000, 'completed');
      completionSeconds.observe(e.service, messageType, seconds(e.finishedAt - createdAt));
    }),
    app.on('retryScheduled', (e) => {
      retried.series(e.service, e.message.messageType).value++;
      handlerSeconds.observe(e.service, e.message.messageType, e.handlerMs / 1000, 'retry');
    }),
    app.on('failed', (e) => {
      failed.series(e.service, e.message.messageType, e.reason).value++;
      handlerSeconds.observe(e.service, e.message.messageType, e.handlerMs / 1000, 'failed');
    }),
    app.on('released', (e) => {
      for (const m of e.messages) released.series(e.service, m.messageType).value++;
    }),
    app.on('rateLimited', (e) => {
      rateLimited.series(e.service, e.messageType).value++;
      if (e.messages.length > 0) rateDelayed.series(e.service, e.messageType).value += e.messages.length;
    }),
    app.on('leaseLost', (e) => {
      leaseLost.series(e.service, e.message.messageType, e.reason).value++;
    }),
  ];
  return () => off.forEach((f) => f());
}
