/**
 * Every W2 figure read against its engine's floor (plan.ts floorCase): the floor case of
 * the same engine, durability profile and concurrency gives the floor's events/s, and each
 * W2 system's median becomes "x% of floor".
 */
import type { CaseSummary } from '../harness/summarize.js';
import { num } from './format.js';

const perSecond = (s: CaseSummary) => s.phases[0]?.figures.find((f) => f.key === 'perSecond');

export function floorLines(summaries: readonly CaseSummary[]): string[] {
  const floors = summaries.filter((s) => s.case.id.endsWith('-floor'));
  const lines: string[] = [];
  for (const s of summaries) {
    if (s.case.workload !== 'W2' || s.case.id.endsWith('-floor') || s.case.id.startsWith('AB-')) continue;
    const concurrency = s.case.params.concurrency;
    const floor = floors.find(
      (f) =>
        f.case.profile === s.case.profile &&
        f.case.params.concurrency === concurrency &&
        f.case.systems[0] === s.case.systems[0],
    );
    const floorRate = floor ? perSecond(floor)?.peer?.median : undefined;
    const fig = perSecond(s);
    if (floorRate === undefined || floorRate <= 0 || fig === undefined) continue;
    const share = (rate: number | undefined): string =>
      rate === undefined ? '–' : `${((rate / floorRate) * 100).toFixed(0)}% of floor`;
    const [eventyard, peer] = s.case.systems;
    // Figures of two cases compare well only when both ran on the same day, under the same load.
    const when = (c: CaseSummary | undefined): string =>
      c?.measured ? `${c.measured.at.slice(0, 10)} ${c.measured.commit}` : 'not recorded';
    const apart = when(s).slice(0, 10) !== when(floor).slice(0, 10);
    lines.push(
      `${s.case.id}: ${eventyard} ${num(fig.eventyard?.median ?? NaN)} events/s = **${share(fig.eventyard?.median)}**` +
        (peer ? `; ${peer} ${num(fig.peer?.median ?? NaN)} = ${share(fig.peer?.median)}` : '') +
        ` (floor ${num(floorRate)} events/s, ${floor?.case.id}` +
        (apart ? `; measured apart: ${when(s)} against ${when(floor)}, so only roughly comparable)` : ')'),
    );
  }
  for (const f of floors) {
    const fig = perSecond(f);
    if (fig?.ratio == null) continue;
    lines.push(
      `${f.case.id}: Eventyard in the same pairs as the floor = **${(fig.ratio * 100).toFixed(0)}% of floor**`,
    );
  }
  return lines;
}
