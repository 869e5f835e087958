import { ErrorCode, EventyardError } from './errors.js';

/** The statuses of a message row (their transitions are TRANSITIONS below). */
export const Status = {
  UNPROCESSED: 'UNPROCESSED',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  ERROR: 'ERROR',
  RETRY: 'RETRY',
  FAILED: 'FAILED',
} as const;
export type Status = (typeof Status)[keyof typeof Status];

export const ALL_STATUSES: readonly Status[] = Object.values(Status);

/** Why a row moves: each allowed transition names the operation that performs it. */
export const Transition = {
  CLAIM: 'claim',
  COMPLETE: 'complete',
  FAIL_RETRYABLE: 'fail (retryable) or lease expired',
  FAIL_TERMINAL: 'fail (terminal)',
  RELEASE: 'release',
  PROMOTE: 'retry mechanism',
  REDRIVE: 'operator re-drive',
} as const;
export type Transition = (typeof Transition)[keyof typeof Transition];

/**
 * The one transition table. Every store implements exactly these moves and nothing else;
 * `tests/unit/status.test.ts` checks every pair.
 */
export const TRANSITIONS: Readonly<Record<Status, Readonly<Partial<Record<Status, Transition>>>>> = {
  UNPROCESSED: { IN_PROGRESS: Transition.CLAIM },
  RETRY: { IN_PROGRESS: Transition.CLAIM },
  IN_PROGRESS: {
    COMPLETED: Transition.COMPLETE,
    ERROR: Transition.FAIL_RETRYABLE,
    FAILED: Transition.FAIL_TERMINAL,
    UNPROCESSED: Transition.RELEASE,
    RETRY: Transition.RELEASE,
  },
  ERROR: { RETRY: Transition.PROMOTE },
  FAILED: { RETRY: Transition.REDRIVE },
  COMPLETED: {},
};

/** Statuses a processor may claim. */
export const CLAIMABLE: readonly Status[] = [Status.UNPROCESSED, Status.RETRY];
/** Statuses an operator may re-drive to RETRY (ERROR → RETRY is also the retry mechanism's move). */
export const REDRIVABLE: readonly Status[] = [Status.ERROR, Status.FAILED];
/** Statuses a row never leaves by itself. */
export const TERMINAL: readonly Status[] = [Status.COMPLETED, Status.FAILED];

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from][to] !== undefined;
}

export function assertTransition(from: Status, to: Status): Transition {
  const how = TRANSITIONS[from][to];
  if (how === undefined) {
    throw new EventyardError(ErrorCode.INVALID_TRANSITION, `transition ${from} → ${to} is not allowed`, {
      details: { from, to },
    });
  }
  return how;
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (ALL_STATUSES as readonly string[]).includes(value);
}
