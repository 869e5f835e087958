/**
 * Turns a case's runs into its figures: per phase and figure, the median and min–max of
 * each system over the measured (non-warm-up, non-discarded) runs, and the ratio of the
 * medians Eventyard / peer.
 */
import type { Case } from '../plan.js';
import type { Settings, SystemName } from '../systems/types.js';
import type { PhaseResult } from '../workloads/types.js';
import type { RunRecord } from './alternate.js';
import { spread, type Spread } from './stats.js';

export type Better = 'higher' | 'lower';

export interface FigureSummary {
  readonly key: string;
  readonly label: string;
  readonly better: Better;
  readonly eventyard: Spread | null;
  readonly peer: Spread | null;
  /** median(Eventyard) / median(peer). */
  readonly ratio: number | null;
}

export interface PhaseSummary {
  readonly phase: string;
  readonly figures: readonly FigureSummary[];
  readonly checks: readonly { system: SystemName; ok: boolean; detail: string }[];
}

export interface CaseSummary {
  readonly case: Case;
  readonly settings: Partial<Record<SystemName, Settings>>;
  readonly phases: readonly PhaseSummary[];
  readonly errors: readonly string[];
  readonly contendedRunsKept: number;
  readonly discardedRuns: number;
  readonly topCommands: Partial<Record<SystemName, Readonly<Record<string, number>>>>;
  /** When the case ran, on which code, Node, peer versions and contention guard (older results lack the last three). */
  readonly measured?: {
    readonly at: string;
    readonly commit: string;
    readonly node?: string;
    readonly versions?: Readonly<Record<string, string>>;
    readonly contentionCores?: number;
  };
}

interface FigureDef {
  readonly key: string;
  readonly label: (c: Case) => string;
  readonly better: Better;
  readonly pick: (p: PhaseResult) => number | undefined;
}

const WINDOW_FIGURES: readonly FigureDef[] = [
  { key: 'perSecond', label: (c) => `${c.unit}/s`, better: 'higher', pick: (p) => p.window.perSecond },
  {
    key: 'nodeCpuMsPerEvent',
    label: (c) => `Node CPU ms/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.nodeCpuMsPerEvent,
  },
  {
    key: 'serverCpuMsPerEvent',
    label: (c) => `server CPU ms/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.serverCpuMsPerEvent,
  },
  {
    key: 'roundTripsPerEvent',
    label: (c) => `round trips/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.roundTripsPerEvent,
  },
  {
    key: 'serverCommandsPerEvent',
    label: (c) => `Redis commands/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.serverCommandsPerEvent,
  },
  {
    key: 'writeTransactionsPerEvent',
    label: (c) => `write transactions/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.writeTransactionsPerEvent,
  },
  {
    key: 'walBytesPerEvent',
    label: (c) => `WAL bytes/${c.unit.slice(0, -1)}`,
    better: 'lower',
    pick: (p) => p.window.walBytesPerEvent,
  },
  { key: 'peakRssMiB', label: () => 'peak RSS MiB', better: 'lower', pick: (p) => p.window.peakRssMiB },
];

/** Extra figures: names ending in "/s" are better higher, everything else lower. */
const extraBetter = (name: string): Better => (name.endsWith('/s') ? 'higher' : 'lower');

export function summarizeCase(c: Case, records: readonly RunRecord[]): CaseSummary {
  const [eventyard, peer] = c.systems;
  const counted = records.filter((r) => !r.warmup && r.discarded === undefined && r.result !== undefined);
  const settings: Partial<Record<SystemName, Settings>> = {};
  const topCommands: Partial<Record<SystemName, Record<string, number>>> = {};
  for (const r of records) {
    if (r.result) settings[r.system] = r.result.settings;
    const first = r.result?.phases[0];
    if (first && !r.warmup) topCommands[r.system] = first.window.topCommands;
  }
  const phaseNames = [...new Set(counted.flatMap((r) => r.result?.phases.map((p) => p.phase) ?? []))];
  const phases = phaseNames.map((phase): PhaseSummary => {
    const of = (system: SystemName | undefined): PhaseResult[] =>
      counted
        .filter((r) => r.system === system)
        .flatMap((r) => r.result?.phases.filter((p) => p.phase === phase) ?? []);
    const a = of(eventyard);
    const b = of(peer);
    const extras = [...new Set([...a, ...b].flatMap((p) => Object.keys(p.extra)))];
    const defs: FigureDef[] = [
      ...WINDOW_FIGURES,
      ...extras.map((name) => ({
        key: name,
        label: () => name,
        better: extraBetter(name),
        pick: (p: PhaseResult) => p.extra[name],
      })),
    ];
    const figures = defs
      .map((d): FigureSummary => {
        const sa = spread(a.map(d.pick).filter((v): v is number => v !== undefined));
        const sb = spread(b.map(d.pick).filter((v): v is number => v !== undefined));
        const ratio = sa && sb && sb.median !== 0 ? sa.median / sb.median : null;
        return { key: d.key, label: d.label(c), better: d.better, eventyard: sa, peer: sb, ratio };
      })
      .filter((f) => f.eventyard !== null || f.peer !== null);
    // Every run's exact check, warm-ups and discarded runs included.
    const checks = records.flatMap((r) =>
      (r.result?.phases ?? [])
        .filter((p) => p.phase === phase)
        .map((p) => ({ system: r.system, ok: p.check.ok, detail: p.check.detail })),
    );
    return { phase, figures, checks };
  });
  return {
    case: c,
    settings,
    phases,
    errors: records.flatMap((r) => (r.error ? [`${r.system}: ${r.error}`] : [])),
    contendedRunsKept: records.filter((r) => r.contended === true).length,
    discardedRuns: records.filter((r) => r.discarded !== undefined).length,
    topCommands,
  };
}
