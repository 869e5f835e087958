/**
 * The property tier's budget. CI runs a fixed small number of cases per property (the whole
 * tier stays well under a minute); `EVENTYARD_PROPERTY_RUNS=2000 npx vitest run --project
 * property` is the long run. fast-check prints the seed and counterexample path of a failure;
 * `EVENTYARD_PROPERTY_SEED=<seed>` replays it.
 */
import fc from 'fast-check';

// Unset or empty means "not given" (Number('') would be 0: every run would replay seed 0).
const fromEnv = (name: string): number => {
  const text = process.env[name];
  return text === undefined || text.trim() === '' ? Number.NaN : Number(text);
};
const runs = fromEnv('EVENTYARD_PROPERTY_RUNS');
const seed = fromEnv('EVENTYARD_PROPERTY_SEED');

/** Cases per property: the env var, or `ciRuns`. */
export function propertyRuns(ciRuns: number): number {
  return Number.isSafeInteger(runs) && runs > 0 ? runs : ciRuns;
}

/** fast-check parameters shared by every property of the tier. */
export function parameters<T>(ciRuns: number): fc.Parameters<T> {
  return {
    numRuns: propertyRuns(ciRuns),
    ...(Number.isSafeInteger(seed) && { seed }),
    // The seed and the shrunk counterexample are in the thrown error; also print the seed
    // up front so a run that times out can still be replayed.
    reporter: (details) => {
      if (details.failed) {
        console.error(`property failed: EVENTYARD_PROPERTY_SEED=${details.seed} (path ${details.counterexamplePath})`);
        throw new Error(fc.defaultReportMessage(details));
      }
    },
  };
}

/** A store-call timeout for a whole property: generous, the machine is shared. */
export const PROPERTY_TIMEOUT_MS = 120_000;
