import { EventyardError } from '../../src/index.js';

/**
 * The code of the EventyardError `work` throws; `raw <message>` when it throws anything else
 * (so an expectation on the code fails and shows it), `undefined` when it does not throw.
 */
export function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof EventyardError ? error.code : `raw ${String(error)}`;
  }
  return undefined;
}
