/**
 * What a processor logged around a network pause, read as outages. Its broker watch logs one
 * warning when an outage starts (`the broker (<kind>) does not answer; ...`) and one line when
 * the broker answers again; {@link pauseOutage} checks that the pause made exactly one such
 * outage: opened during the pause, still open when it ended, closed by one line after it.
 *
 * On a loaded machine a call can also miss its deadline outside the pause (a stalled event
 * loop, a slow shared server): that is an outage of its own, with its own warning and its
 * own line when it ends, and is returned to the test to report, not counted against the
 * pause. What can never pass: two warnings without an answer between them (a warning per
 * failed call instead of per outage), an outage that stays open, or a recovery logged
 * while the network was still paused.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../src/index.js';

export interface LogLine {
  /** performance.now() when logged. */
  readonly at: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ at: performance.now(), level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const OUTAGE = /^the broker \(\w+\) does not answer; reporting unhealthy until it does$/;
const BACK = /^the broker \(\w+\) answers again; reporting healthy$/;

export interface Outage {
  readonly from: number;
  readonly to: number | undefined;
  /** The call whose failure opened it, and the error. */
  readonly call: string;
  readonly err: string;
}

/** Broker outages in log order; throws if warnings and recoveries do not alternate. */
export function outages(lines: readonly LogLine[]): Outage[] {
  const found: Outage[] = [];
  let open: { from: number; call: string; err: string } | undefined;
  for (const line of lines) {
    if (OUTAGE.test(line.msg)) {
      if (open !== undefined)
        throw new Error(`a second outage warning before the broker answered: ${logSummary(lines)}`);
      open = {
        from: line.at,
        call: callOf(line),
        err: line.fields.err instanceof Error ? line.fields.err.message : '',
      };
    } else if (BACK.test(line.msg)) {
      if (open === undefined) throw new Error(`a recovery line with no outage open: ${logSummary(lines)}`);
      found.push({ ...open, to: line.at });
      open = undefined;
    }
  }
  if (open !== undefined) found.push({ ...open, to: undefined });
  return found;
}

/**
 * The one outage the pause made, and any others (outside the pause window). Throws unless
 * exactly one outage opened during [pausedAt, resumedAt], none was open at pausedAt, the
 * pause's outage was still open at resumedAt and closed after it, and every outage closed.
 */
export function pauseOutage(
  lines: readonly LogLine[],
  window: { pausedAt: number; resumedAt: number },
): { pause: Outage; others: Outage[] } {
  const all = outages(lines);
  const fail = (why: string): never => {
    throw new Error(`${why}; pause ${ms(window.pausedAt)}..${ms(window.resumedAt)}: ${logSummary(lines)}`);
  };
  const during = all.filter((o) => o.from >= window.pausedAt && o.from <= window.resumedAt);
  if (during.length !== 1) fail(`${during.length} outages opened during the pause, not 1`);
  const pause = during[0] as Outage;
  if (pause.to === undefined) fail('the outage of the pause never closed');
  if ((pause.to ?? 0) < window.resumedAt) fail('health recovered while the network was paused');
  const others = all.filter((o) => o !== pause);
  if (others.some((o) => o.from < window.pausedAt && (o.to === undefined || o.to > window.pausedAt)))
    fail('an outage was already open when the pause began');
  if (others.some((o) => o.to === undefined)) fail('an outage after the pause never closed');
  return { pause, others };
}

const callOf = (line: LogLine): string => (typeof line.fields.call === 'string' ? line.fields.call : '');
const errOf = (line: LogLine): string => (line.fields.err instanceof Error ? `: ${line.fields.err.message}` : '');
const ms = (at: number): string => `${Math.round(at)}ms`;

export function logSummary(lines: readonly LogLine[]): string {
  return JSON.stringify(
    lines.map((l) => `${ms(l.at)} ${l.level} ${l.msg}${callOf(l) === '' ? '' : ` (${callOf(l)})`}${errOf(l)}`),
  );
}
