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
  const w4 = summaries.filter((s) => s.case.workload === 'W4' && s.case.id.includes('redis'));
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
  return lines;
}
