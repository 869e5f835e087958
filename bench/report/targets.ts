/** The issue's targets, judged from this run's figures (never asserted in tests). */
import type { CaseSummary } from '../harness/summarize.js';
import { num } from './format.js';

function figure(summaries: readonly CaseSummary[], caseId: string, key: string, phase?: string) {
  const s = summaries.find((x) => x.case.id === caseId);
  const p = phase ? s?.phases.find((x) => x.phase === phase) : s?.phases[0];
  return p?.figures.find((f) => f.key === key);
}

const verdict = (met: boolean): string => (met ? '**met**' : '**missed**');

export function judgeTargets(summaries: readonly CaseSummary[]): string[] {
  const lines: string[] = [];
  const redis = figure(summaries, 'W2-redis-c32', 'perSecond');
  if (redis?.ratio != null && redis.eventyard && redis.peer) {
    lines.push(
      `Redis store, W2 at concurrency 32, ≥ 3× BullMQ: ${num(redis.eventyard.median)} vs ${num(redis.peer.median)} events/s = ${redis.ratio.toFixed(2)}× — ${verdict(redis.ratio >= 3)}${redis.ratio < 3 ? ` (short by ${((1 - redis.ratio / 3) * 100).toFixed(0)}%)` : ''}.`,
    );
  } else lines.push('Redis store, W2 at concurrency 32, ≥ 3× BullMQ: not measured in this run.');
  const sqlite = figure(summaries, 'W2-sqlite-c32', 'perSecond');
  if (sqlite?.eventyard && sqlite.peer && sqlite.ratio != null) {
    const rate = sqlite.eventyard.median;
    lines.push(
      `SQLite store, W2 (concurrency 32), ≥ 50,000 events/s: ${num(rate)} — ${verdict(rate >= 50_000)}${rate < 50_000 ? ` (short by ${((1 - rate / 50_000) * 100).toFixed(0)}%)` : ''}; ≥ 2× plainjob: ${sqlite.ratio.toFixed(2)}× — ${verdict(sqlite.ratio >= 2)}.`,
    );
  } else lines.push('SQLite store, W2 ≥ 50,000 events/s and ≥ 2× plainjob: not measured in this run.');
  const w5 = figure(summaries, 'W5-redis', 'perSecond');
  if (w5?.eventyard) {
    const rate = w5.eventyard.median;
    lines.push(`W5 on Redis ≥ 10,000 flows/s: ${num(rate)} — ${verdict(rate >= 10_000)}.`);
  } else lines.push('W5 on Redis ≥ 10,000 flows/s: not measured in this run.');
  const w4 = summaries.filter((s) => s.case.workload === 'W4' && s.case.id.startsWith('W4-redis-'));
  if (w4.length > 0) {
    const ok = w4.flatMap((s) =>
      s.phases.map((p) => {
        const f = p.figures.find((x) => x.key === 'start p99 ms');
        return { phase: p.phase, met: f?.ratio != null && f.ratio < 1, ratio: f?.ratio };
      }),
    );
    lines.push(
      `W4 p99 publish → start below BullMQ's at every rate: ${ok.map((o) => `${o.phase} ${o.ratio?.toFixed(2) ?? '–'}×`).join(', ')} — ${verdict(ok.every((o) => o.met))}.`,
    );
  } else lines.push("W4 p99 publish → start below BullMQ's at every rate: not measured in this run.");
  return [...lines, ...postgresTargets(summaries)];
}

/** `want`× the peer on a higher-is-better figure, with the shortfall when missed. */
function ratioLine(what: string, f: ReturnType<typeof figure>, want: number, unit: string): string {
  if (f?.ratio == null || !f.eventyard || !f.peer) return `${what}: not measured in this run.`;
  const short = f.ratio < want ? ` (short by ${((1 - f.ratio / want) * 100).toFixed(0)}%)` : '';
  return `${what}: ${num(f.eventyard.median)} vs ${num(f.peer.median)} ${unit} = ${f.ratio.toFixed(2)}× — ${verdict(f.ratio >= want)}${short}.`;
}

/** Issue 14's PostgreSQL targets, against pg-boss, graphile-worker and the floor. */
function postgresTargets(summaries: readonly CaseSummary[]): string[] {
  const lines: string[] = [];
  const peers = [
    ['pgboss', 'pg-boss', 3],
    ['graphile', 'graphile-worker', 1.5],
  ] as const;
  for (const [key, name, want] of peers) {
    lines.push(
      ratioLine(
        `PostgreSQL, W2 at concurrency 32, ≥ ${want}× ${name}`,
        figure(summaries, `W2-${key}-c32`, 'perSecond'),
        want,
        'events/s',
      ),
    );
  }
  lines.push(
    ratioLine(
      'PostgreSQL, W2 at concurrency 32, ≥ 70% of the floor',
      figure(summaries, 'W2-pgfloor-c32', 'perSecond'),
      0.7,
      'events/s',
    ),
  );
  for (const [key, name] of peers) {
    lines.push(ratioLine(`PostgreSQL, W5 ≥ 2× ${name}`, figure(summaries, `W5-${key}`, 'perSecond'), 2, 'flows/s'));
  }
  for (const [key, name] of peers) {
    const w1 = summaries.find((s) => s.case.id === `W1-${key}`);
    if (w1 === undefined) {
      lines.push(`PostgreSQL, W1 ≥ 1× ${name} in every mode: not measured in this run.`);
      continue;
    }
    const modes = w1.phases.map((p) => ({
      phase: p.phase,
      ratio: p.figures.find((f) => f.key === 'perSecond')?.ratio,
    }));
    lines.push(
      `PostgreSQL, W1 ≥ 1× ${name} in every mode: ${modes.map((m) => `${m.phase} ${m.ratio?.toFixed(2) ?? '–'}×`).join(', ')} — ${verdict(modes.every((m) => m.ratio != null && m.ratio >= 1))}.`,
    );
  }
  for (const [key, name] of peers) {
    const w4 = summaries.filter((s) => s.case.workload === 'W4' && s.case.id.startsWith(`W4-${key}-`));
    if (w4.length === 0) {
      lines.push(`PostgreSQL, W4 p99 publish → start ≤ ${name}'s at every rate: not measured in this run.`);
      continue;
    }
    const ok = w4.flatMap((s) =>
      s.phases.map((p) => ({ phase: p.phase, ratio: p.figures.find((x) => x.key === 'start p99 ms')?.ratio })),
    );
    lines.push(
      `PostgreSQL, W4 p99 publish → start ≤ ${name}'s at every rate: ${ok.map((o) => `${o.phase} ${o.ratio?.toFixed(2) ?? '–'}×`).join(', ')} — ${verdict(ok.every((o) => o.ratio != null && o.ratio <= 1))}.`,
    );
  }
  return lines;
}
