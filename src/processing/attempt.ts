/**
 * One attempt at one claimed row, composed around the handler: decode and validate the
 * payload (bad data → FAILED at once), run the handler under its timeout and abort
 * signal, then write the outcome — COMPLETED with the buffered effects, or ERROR/FAILED by
 * the message type's retry policy — fenced by the claim token.
 */
import { ErrorCode, EventyardError, describeError, toError } from '../core/errors.js';
import { parseJson } from '../core/payload.js';
import { decideFailure } from '../core/retry-policy.js';
import type { ClaimedMessage, EventStore, LeaseOutcome } from '../store/port.js';
import { createHandlerContext, type Handler } from './handler-context.js';
import type { MessageBuilder } from './message-builder.js';
import type { OutcomeBatcher } from './outcome-batcher.js';
import { validatePayload } from './validate.js';

export interface AttemptDeps {
  readonly store: EventStore;
  readonly builder: MessageBuilder;
  readonly serviceName: string;
  readonly handlers: ReadonlyMap<string, Handler<never>>;
  readonly batcher: OutcomeBatcher;
  readonly handlerTimeoutMs: number;
}

export interface AttemptResult {
  readonly message: ClaimedMessage;
  readonly kind: 'completed' | 'retry' | 'failed';
  readonly outcome: LeaseOutcome | 'store_error';
  readonly error?: Error;
}

export async function runAttempt(
  deps: AttemptDeps,
  message: ClaimedMessage,
  controller: AbortController,
): Promise<AttemptResult> {
  const ref = message;
  const updatedBy = deps.serviceName;
  const type = deps.builder.registry.has(message.messageType)
    ? deps.builder.registry.get(message.messageType)
    : undefined;
  try {
    const handler = deps.handlers.get(message.messageType);
    if (type === undefined || handler === undefined) {
      throw new EventyardError(ErrorCode.NO_HANDLER, `no handler for message type ${message.messageType}`);
    }
    const payload = await validatePayload(type, message.payload === null ? undefined : parseJson(message.payload));
    const { context, effects, seal } = createHandlerContext({
      message,
      payload,
      signal: controller.signal,
      serviceName: deps.serviceName,
      builder: deps.builder,
      store: deps.store,
    });
    try {
      await withTimeout(
        Promise.resolve().then(() => (handler as Handler<unknown>)(context)),
        deps.handlerTimeoutMs,
        controller,
      );
    } finally {
      seal();
    }
    const outcome = await deps.batcher.complete({
      ref,
      updatedBy,
      emits: effects.emits,
      workingData: effects.workingData,
    });
    return { message, kind: 'completed', outcome };
  } catch (thrown) {
    const error = toError(thrown);
    const decision = type
      ? decideFailure(type.retry, error, message.attempts, message.maxAttempts)
      : ({ kind: 'fail', reason: 'non-retryable' } as const);
    const retryDelayMs = decision.kind === 'retry' ? decision.delayMs : null;
    const outcome = await deps.batcher.fail({ ref, updatedBy, error: describeError(error), retryDelayMs });
    return { message, kind: decision.kind === 'retry' ? 'retry' : 'failed', outcome, error };
  }
}

/**
 * Races the handler against its timeout and its abort signal. The handler cannot be
 * killed; once this rejects, its context is sealed so nothing it does later is written.
 */
function withTimeout(work: Promise<void>, timeoutMs: number, controller: AbortController): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(toError(controller.signal.reason));
    };
    const timer = setTimeout(() => {
      controller.abort(
        new EventyardError(ErrorCode.HANDLER_TIMEOUT, `handler ran past its timeout of ${timeoutMs} ms`),
      );
    }, timeoutMs);
    if (controller.signal.aborted) return onAbort();
    controller.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', onAbort);
        reject(toError(error));
      },
    );
  });
}
