/**
 * Runs one case: a warm-up pair, then `reps` pairs, Eventyard then its peer, each run in
 * its own process. A pair in which either run saw other processes use more than
 * `contentionCores` of CPU is discarded and run again (up to `maxRetries` times; after
 * that it is kept and flagged). An exact-count failure is never retried: it is a finding.
 */
import type { Case } from '../plan.js';
import type { SystemName } from '../systems/types.js';
import type { RunResult } from '../workloads/types.js';
import { runInChild } from './child.js';

export interface RunRecord {
  readonly system: SystemName;
  readonly pair: number;
  readonly warmup: boolean;
  /** Why this run does not count, if it does not. */
  readonly discarded?: 'contended' | undefined;
  /** Kept although contended: the retries ran out. */
  readonly contended?: boolean | undefined;
  readonly result?: RunResult | undefined;
  readonly error?: string | undefined;
}

export interface AlternateOptions {
  readonly contentionCores: number;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  /** CPU profiles of Eventyard's measured windows go here, when set. */
  readonly profileDir: string | undefined;
  readonly log: (line: string) => void;
}

const maxOther = (r: RunResult | undefined): number =>
  Math.max(0, ...(r?.phases ?? []).map((p) => p.window.otherCores));

export async function runCase(c: Case, options: AlternateOptions): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const systems = c.systems.filter((s): s is SystemName => s !== undefined);
  let errors = 0;
  for (let pair = 0; pair < c.warmup + c.reps && errors < 2; pair++) {
    const warmup = pair < c.warmup;
    for (let attempt = 0; ; attempt++) {
      const runs: RunRecord[] = [];
      for (const [index, system] of systems.entries()) {
        try {
          const result = await runInChild(
            { system, workload: c.workload, params: c.params, profile: c.profile },
            { timeoutMs: options.timeoutMs, profileDir: index === 0 ? options.profileDir : undefined },
          );
          runs.push({ system, pair, warmup, result });
        } catch (error) {
          errors++;
          runs.push({ system, pair, warmup, error: error instanceof Error ? error.message : String(error) });
        }
      }
      const other = Math.max(...runs.map((r) => maxOther(r.result)));
      const label = `${c.id} ${warmup ? 'warm-up' : `pair ${pair - c.warmup + 1}/${c.reps}`}`;
      const summary = runs
        .map((r) => `${r.system} ${r.error ? 'ERROR' : rate(r.result)}${failed(r.result) ? ' CHECK FAILED' : ''}`)
        .join(' | ');
      if (other > options.contentionCores && attempt < options.maxRetries) {
        options.log(`  ${label}: discarded, other processes used ${other.toFixed(2)} cores (${summary})`);
        records.push(...runs.map((r) => ({ ...r, discarded: 'contended' as const })));
        // Give whatever else is running a moment to finish before the pair runs again.
        await new Promise((r) => setTimeout(r, 3000 * (attempt + 1)));
        continue;
      }
      const contended = other > options.contentionCores;
      options.log(`  ${label}: ${summary}${contended ? ` (contended: ${other.toFixed(2)} cores, kept)` : ''}`);
      records.push(...runs.map((r) => ({ ...r, contended })));
      break;
    }
  }
  return records;
}

function rate(r: RunResult | undefined): string {
  return (r?.phases ?? []).map((p) => `${Math.round(p.window.perSecond).toLocaleString('en')}/s`).join(', ');
}

function failed(r: RunResult | undefined): boolean {
  return (r?.phases ?? []).some((p) => !p.check.ok);
}
