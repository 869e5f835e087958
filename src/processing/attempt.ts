/**
 * One attempt at one claimed row, composed around the handler: decode and validate the
 * payload (bad data → FAILED at once), run the handler under its timeout and abort
 * signal, then write the outcome — COMPLETED with the buffered effects, or ERROR/FAILED by
 * the message type's retry policy — fenced by the claim token.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError, describeError, toError } from '../core/errors.js';
import { parseJson } from '../core/payload.js';
import { decideFailure } from '../core/retry-policy.js';
import type {
  ClaimedMessage,
  CompleteRequest,
  EventStore,
  LeaseOutcome,
  NewMessage,
  StoreTransaction,
  WorkingDataWrite,
} from '../store/port.js';
import type { AttemptControl } from './attempt-control.js';
import { createHandlerContext, type Handler } from './handler-context.js';
import type { Hooks } from './hooks.js';
import type { MessageBuilder } from './message-builder.js';
import type { OutcomeBatcher } from './outcome-batcher.js';
import type { AttemptSpan, MessageTracer } from './tracing.js';
import { checkPayload } from './validate.js';

export interface AttemptDeps {
  readonly store: EventStore;
  readonly builder: MessageBuilder;
  readonly serviceName: string;
  readonly handlers: ReadonlyMap<string, Handler<never>>;
  readonly batcher: OutcomeBatcher;
  readonly hooks: Hooks;
  /** The app's tracer, when tracing is on: one span per attempt. */
  readonly tracer: MessageTracer | undefined;
}

export interface AttemptResult {
  readonly message: ClaimedMessage;
  readonly kind: 'completed' | 'retry' | 'failed';
  readonly outcome: LeaseOutcome | 'store_error';
  readonly error?: Error;
  /** retry: the delay before the row is claimable again; failed: why no retry. */
  readonly retryDelayMs?: number;
  readonly failReason?: 'attempts-exhausted' | 'non-retryable';
  /** Date.now() when the attempt began (the handler was called right after the payload check). */
  readonly startedAt: number;
  /** How long the handler ran (0 when it never ran). */
  readonly handlerMs: number;
  /** What the handler emitted (written with the completion; none when the attempt failed). */
  readonly emits: readonly NewMessage[];
}

const NO_EMITS: readonly NewMessage[] = Object.freeze([]);

export async function runAttempt(
  deps: AttemptDeps,
  message: ClaimedMessage,
  control: AttemptControl,
  onHandlerSettled: () => void = () => undefined,
): Promise<AttemptResult> {
  const span = deps.tracer?.attempt(message, deps.serviceName);
  if (span === undefined) return attemptOnce(deps, message, control, onHandlerSettled, undefined);
  try {
    const result = await attemptOnce(deps, message, control, onHandlerSettled, span);
    span.end(result.outcome === 'ok' ? spanOutcome[result.kind] : result.outcome, result.error);
    return result;
  } catch (error) {
    span.end('store_error', toError(error));
    throw error;
  }
}

const spanOutcome = { completed: 'completed', retry: 'retry', failed: 'failed' } as const;

async function attemptOnce(
  deps: AttemptDeps,
  message: ClaimedMessage,
  control: AttemptControl,
  onHandlerSettled: () => void,
  span: AttemptSpan | undefined,
): Promise<AttemptResult> {
  // onHandlerSettled is called once, before the outcome is written: the handler ran and
  // settled, or never ran.
  let settled = false;
  const updatedBy = deps.serviceName;
  let transaction: Promise<StoreTransaction> | undefined;
  const type = deps.builder.registry.has(message.messageType)
    ? deps.builder.registry.get(message.messageType)
    : undefined;
  const startedAt = Date.now();
  let handlerMs = 0;
  try {
    const handler = deps.handlers.get(message.messageType) as Handler<unknown> | undefined;
    if (type === undefined || handler === undefined) {
      throw new EventyardError(ErrorCode.NO_HANDLER, `no handler for message type ${message.messageType}`);
    }
    const rawPayload = message.payload === null ? undefined : parseJson(message.payload);
    // The one await before the handler: it never runs inside the caller's turn (the
    // processor's dispatch loop), even when the schema answers synchronously.
    const payload = await checkPayload(type, rawPayload);
    const { context, effects, seal } = createHandlerContext({
      message,
      payload,
      rawPayload,
      checkedWith: type.schema,
      control,
      serviceName: deps.serviceName,
      builder: deps.builder,
      store: deps.store,
      span,
    });
    if (deps.hooks.listening('started')) {
      deps.hooks.emit('started', { service: updatedBy, message, startedAt: Date.now() });
    }
    const handlerStart = performance.now();
    try {
      const returned = span === undefined ? handler(context) : span.run(() => handler(context));
      // A handler that returned no promise has finished; one that did is raced against its
      // control (lease loss, timeout, shutdown), which it cannot be made to obey.
      if (isThenable(returned)) await untilAborted(returned, control);
      else if (control.aborted) throw toError(control.reason);
    } finally {
      seal();
      handlerMs = performance.now() - handlerStart;
      transaction = effects.transaction;
    }
    if (effects.checks !== undefined) await Promise.all(effects.checks);
    settled = true;
    onHandlerSettled();
    const emits = effects.emits ?? NO_EMITS;
    const request: CompleteRequest = {
      ref: message,
      updatedBy,
      emits,
      workingData: effects.workingData ?? NO_WRITES,
    };
    const outcome =
      // The handler wrote through its own transaction: the completion joins it, not the batch.
      transaction !== undefined ? await completeIn(await transaction, request) : await deps.batcher.complete(request);
    return { message, kind: 'completed', outcome, startedAt, handlerMs, emits };
  } catch (thrown) {
    await transaction?.then((tx) => tx.rollback()).catch(() => undefined);
    const error = toError(thrown);
    const decision = type
      ? decideFailure(type.retry, error, message.attempts, message.maxAttempts)
      : ({ kind: 'fail', reason: 'non-retryable' } as const);
    const retryDelayMs = decision.kind === 'retry' ? decision.delayMs : null;
    if (!settled) onHandlerSettled();
    const outcome = await deps.batcher.fail({ ref: message, updatedBy, error: describeError(error), retryDelayMs });
    return decision.kind === 'retry'
      ? {
          message,
          kind: 'retry',
          outcome,
          error,
          retryDelayMs: decision.delayMs,
          startedAt,
          handlerMs,
          emits: NO_EMITS,
        }
      : { message, kind: 'failed', outcome, error, failReason: decision.reason, startedAt, handlerMs, emits: NO_EMITS };
  }
}

const NO_WRITES: readonly WorkingDataWrite[] = Object.freeze([]);

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/** Completes inside the handler's transaction; a store failure there is reported like the batcher's. */
async function completeIn(
  transaction: StoreTransaction,
  request: CompleteRequest,
): Promise<LeaseOutcome | 'store_error'> {
  try {
    return await transaction.complete(request);
  } catch {
    await transaction.rollback().catch(() => undefined);
    return 'store_error';
  }
}

/**
 * Races the handler against its control: lease loss, timeout or shutdown reject at once.
 * The handler cannot be killed; its context is sealed so nothing it does later is written.
 */
function untilAborted(work: PromiseLike<unknown>, control: AttemptControl): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    control.onAbort((reason) => reject(toError(reason)));
    work.then(
      () => {
        control.onAbort(undefined);
        resolve();
      },
      (error: unknown) => {
        control.onAbort(undefined);
        reject(toError(error));
      },
    );
  });
}
