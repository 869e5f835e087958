/**
 * Message priorities: the range, the check, and the anti-starvation policy every store
 * implements (docs/flow-control.md, "Priorities").
 *
 * Policy ("aging"): a store claims rows of a type in order of their *effective time*
 * `AVAILABLE_AT − priority × agingStepMs`, then publish order. A row of priority p is
 * therefore treated as if it had been waiting p aging steps longer. Bound: a row is never
 * claimed after a row of the same type whose effective time is later, so a priority-0 row
 * waits behind newer rows of any priority for at most 9 × agingStepMs (10 minutes at the
 * default 60 s step, plus the time to drain what was already ahead of it).
 * Due-ness is still judged on AVAILABLE_AT alone: a delayed priority-9 row is never
 * claimed before its time. Priority 0 has effective time = AVAILABLE_AT, so rows published
 * without a priority are ordered exactly as before, in the same one claim index.
 */
import { ErrorCode, EventyardError } from './errors.js';

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
/** The default aging step of every store: 60 s per priority level. */
export const DEFAULT_PRIORITY_AGING_STEP_MS = 60_000;
/** The largest aging step a store accepts: one day per level. */
export const MAX_PRIORITY_AGING_STEP_MS = 86_400_000;

/** Returns the priority (0 when absent); anything but an integer in [0, 9] is EY_INVALID_PRIORITY. */
export function checkPriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (
    typeof priority !== 'number' ||
    !Number.isInteger(priority) ||
    priority < MIN_PRIORITY ||
    priority > MAX_PRIORITY
  ) {
    const shown = typeof priority === 'number' ? String(priority) : typeof priority;
    throw new EventyardError(
      ErrorCode.INVALID_PRIORITY,
      `priority must be an integer in [${MIN_PRIORITY}, ${MAX_PRIORITY}], got ${shown}`,
      { details: { option: 'priority' } },
    );
  }
  return priority;
}

/** Checks every message's priority before a store writes any of them. */
export function checkPriorities(messages: readonly { readonly priority?: number | undefined }[]): void {
  for (const message of messages) if (message.priority !== undefined) checkPriority(message.priority);
}

/**
 * How far ahead of its AVAILABLE_AT a row is ordered: priority × step (ms). A store keeps it
 * with the row at write time, so a later change of the step does not reorder rows written.
 */
export function priorityLeadMs(priority: number | undefined, agingStepMs: number): number {
  return priority === undefined || priority === 0 ? 0 : priority * agingStepMs;
}

/** A store's `priorityAgingStepMs` option: an integer in [1, one day] (EY_INVALID_OPTION), default 60 s. */
export function checkAgingStep(store: string, value: number | undefined): number {
  if (value === undefined) return DEFAULT_PRIORITY_AGING_STEP_MS;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PRIORITY_AGING_STEP_MS) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `${store}: priorityAgingStepMs must be an integer in [1, ${MAX_PRIORITY_AGING_STEP_MS}]`,
      { details: { option: 'priorityAgingStepMs' } },
    );
  }
  return value;
}
