/**
 * W4's arrival rates come from this run's own figures: a W4 case carries a `fraction`,
 * resolved here to `rate` = fraction × the highest steady rate of its backend — the lower
 * of the two systems' W3 medians, or, when W3 did not run, of their W2 medians at
 * concurrency 32 (capped by their W1 64-in-flight publish rate when that is lower) — so both
 * systems face the same arrivals.
 */
import type { Case } from '../plan.js';
import type { CaseSummary } from './summarize.js';

function lowerMedian(summary: CaseSummary | undefined, key: string, phase?: string): number | undefined {
  const p = phase === undefined ? summary?.phases[0] : summary?.phases.find((x) => x.phase === phase);
  const figure = p?.figures.find((f) => f.key === key);
  const medians = [figure?.eventyard?.median, figure?.peer?.median].filter((v): v is number => v !== undefined);
  return medians.length > 0 ? Math.min(...medians) : undefined;
}

export function resolveRate(c: Case, done: readonly CaseSummary[]): { case: Case; basis: string } {
  const fraction = c.params.fraction;
  if (fraction === undefined || c.params.rate !== undefined) return { case: c, basis: 'fixed' };
  const backend = c.id.split('-')[1];
  const w3 = lowerMedian(
    done.find((s) => s.case.id === `W3-${backend}`),
    'flat rate events/s',
  );
  const w2 = lowerMedian(
    done.find((s) => s.case.id === `W2-${backend}-c32`),
    'perSecond',
  );
  // W4 publishes each arrival on its own: without W3, a drain rate above what single publishes
  // reach (PostgreSQL, where every publish commits on its own) would measure a backlog, not a
  // latency. W1's 64-in-flight rate caps it when this run has it.
  const w1 = lowerMedian(
    done.find((s) => s.case.id === `W1-${backend}`),
    'perSecond',
    '64 in flight',
  );
  const [base, basis] =
    w3 !== undefined
      ? [w3, 'W3 highest flat rate']
      : w2 !== undefined && w1 !== undefined && w1 < w2
        ? [w1, 'W1 single-publish rate at 64 in flight, below the W2 drain rate (W3 not run)']
        : w2 !== undefined
          ? [w2, 'W2 drain rate at concurrency 32 (W3 not run)']
          : [c.params.fallbackRate ?? 1000, 'fallback (neither W3 nor W2 run)'];
  const rate = Math.max(1, Math.round(base * fraction));
  return {
    case: { ...c, params: { ...c.params, rate }, title: `${c.title}: ${rate.toLocaleString('en')} events/s` },
    basis: `${Math.round(fraction * 100)}% of ${Math.round(base).toLocaleString('en')} events/s (${basis})`,
  };
}
