/**
 * What one attempt's outcome counts, logs and tells the hooks: the processor's stats, one log
 * line per retry or failure (in words a person reads), and the `completed`, `published`,
 * `retryScheduled`, `failed` and `leaseLost` hook events.
 */
import { errorCodeOf } from '../core/errors.js';
import type { AttemptResult } from './attempt.js';
import type { Hooks } from './hooks.js';
import type { Logger } from './logger.js';

export interface ProcessorStats {
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  leaseLost: number;
  released: number;
  /** Crash suspects run alone (see runAlone). */
  isolated: number;
}

/** Every count at zero. */
export function newProcessorStats(): ProcessorStats {
  return { claimed: 0, completed: 0, retried: 0, failed: 0, leaseLost: 0, released: 0, isolated: 0 };
}

export interface ReportDeps {
  readonly hooks: Hooks;
  readonly serviceName: string;
  readonly logger: Logger;
}

export function reportOutcome(deps: ReportDeps, stats: ProcessorStats, result: AttemptResult): void {
  const { hooks, serviceName: service, logger } = deps;
  const { message, error } = result;
  if (result.outcome !== 'ok') {
    stats.leaseLost++;
    logger.warn(
      {
        eventId: message.eventId,
        messageType: message.messageType,
        service,
        kind: result.kind,
        outcome: result.outcome,
      },
      'outcome not written: the lease was lost or the store failed',
    );
    if (hooks.listening('leaseLost')) {
      const { startedAt } = result;
      hooks.emit('leaseLost', { service, message, reason: result.outcome, error, startedAt, finishedAt: Date.now() });
    }
    return;
  }
  if (result.kind === 'completed') {
    stats.completed++;
    if (hooks.listening('completed')) {
      const { startedAt, handlerMs } = result;
      const emitted = result.emits.length;
      hooks.emit('completed', { service, message, startedAt, handlerMs, finishedAt: Date.now(), emitted });
    }
    if (result.emits.length > 0 && hooks.listening('published')) {
      for (const row of result.emits) {
        const { eventId, messageType, table } = row;
        hooks.emit('published', { via: 'emit', service, eventId, messageType, table, created: undefined });
      }
    }
    return;
  }
  const failure = error ?? new Error('unknown failure');
  const fields = {
    eventId: message.eventId,
    messageType: message.messageType,
    service,
    attempt: message.attempts,
    maxAttempts: message.maxAttempts,
    code: errorCodeOf(failure),
    error: failure.message,
  };
  const { startedAt, handlerMs } = result;
  if (result.kind === 'retry') {
    stats.retried++;
    const delayMs = result.retryDelayMs ?? 0;
    logger.warn(
      { ...fields, retryDelayMs: delayMs },
      `${message.messageType} failed, attempt ${message.attempts} of ${message.maxAttempts}, ` +
        `retrying in ${formatDelay(delayMs)}: ${failure.message}`,
    );
    if (hooks.listening('retryScheduled')) {
      const finishedAt = Date.now();
      hooks.emit('retryScheduled', { service, message, error: failure, delayMs, startedAt, handlerMs, finishedAt });
    }
    return;
  }
  stats.failed++;
  const reason = result.failReason ?? 'non-retryable';
  logger.error(
    { ...fields, reason },
    `${message.messageType} FAILED after attempt ${message.attempts} of ${message.maxAttempts} ` +
      `(${reason}): ${failure.message}`,
  );
  if (hooks.listening('failed')) {
    const finishedAt = Date.now();
    hooks.emit('failed', { service, message, error: failure, reason, startedAt, handlerMs, finishedAt });
  }
}

/** `850 ms`, `1.2 s`, `3 min`: a retry delay as a person reads it. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
