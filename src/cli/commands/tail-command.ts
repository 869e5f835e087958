/**
 * `tail`: follows the store live. Without --event it prints how the counts per message type
 * and status change, each interval; with --event it prints every change of that event's rows
 * (new rows, status, attempts, errors). The store port has no change feed, so both are
 * computed by comparing reads.
 */
import type { Command } from 'commander';
import { isoTime } from '../../core/clock.js';
import type { EventStore, MessageRow } from '../../store/port.js';
import { rowsOfEvent } from '../../ops/row-query.js';
import { rowJson } from '../../ops/row-json.js';
import { parseDuration, parseTable, print, withStore, withUrl, type CommonFlags } from '../cli-support.js';
import { firstLine, safe } from '../format.js';

interface TailFlags extends CommonFlags {
  readonly event?: string;
  readonly table?: string;
  readonly interval?: string;
  readonly for?: string;
}

export function addTailCommand(program: Command): void {
  withUrl(program.command('tail'))
    .description("follow changes live: count changes per type and status, or one event's rows with --event")
    .option('--event <eventId>', "follow one event's rows")
    .option('--table <table>', 'only this table (counts)')
    .option('--interval <duration>', 'how often to read', '1s')
    .option('--for <duration>', 'stop after this long (default: until Ctrl-C)')
    .action(async (flags: TailFlags) => {
      const interval = parseDuration('interval', flags.interval ?? '1s');
      const stopAt = flags.for === undefined ? Infinity : Date.now() + parseDuration('for', flags.for);
      const table = parseTable(flags.table);
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await withStore(flags, async (store) => {
          const step =
            flags.event === undefined
              ? countFollower(store, table, flags.json === true)
              : eventFollower(store, flags.event, flags.json === true);
          while (!stop.signal.aborted && Date.now() < stopAt) {
            await step();
            await sleep(Math.min(interval, Math.max(0, stopAt - Date.now())), stop.signal);
          }
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function countFollower(store: EventStore, table: MessageRow['table'] | undefined, json: boolean): () => Promise<void> {
  let last: Map<string, number> | undefined;
  return async () => {
    const counts = await store.countByStatus(table === undefined ? {} : { table });
    const now = new Map(counts.map((c) => [`${c.messageType} ${c.status}`, c.count]));
    const at = new Date().toISOString();
    if (last === undefined) {
      for (const c of counts)
        emit(
          json,
          { at, messageType: c.messageType, status: c.status, count: c.count, change: null },
          `${at} ${safe(c.messageType)} ${c.status} ${c.count}`,
        );
    } else {
      for (const k of new Set([...last.keys(), ...now.keys()])) {
        const was = last.get(k) ?? 0;
        const is = now.get(k) ?? 0;
        if (was === is) continue;
        const [messageType = '', status = ''] = k.split(' ');
        const change = is - was;
        emit(
          json,
          { at, messageType, status, count: is, change },
          `${at} ${safe(messageType)} ${status} ${is} (${change > 0 ? '+' : ''}${change})`,
        );
      }
    }
    last = now;
  };
}

function eventFollower(store: EventStore, eventId: string, json: boolean): () => Promise<void> {
  const seen = new Map<string, string>();
  return async () => {
    for (const row of await rowsOfEvent(store, eventId)) {
      const state = `${row.status}|${row.attempts}|${row.updatedAt}|${row.lastError ?? ''}`;
      if (seen.get(row.messageType) === state) continue;
      seen.set(row.messageType, state);
      const text = `${isoTime(row.updatedAt)} ${safe(row.messageType)} ${row.status} attempts ${row.attempts} by ${safe(row.updatedBy)}${row.lastError === null ? '' : ` ${firstLine(row.lastError)}`}`;
      emit(json, rowJson(row), text);
    }
  };
}

function emit(json: boolean, value: unknown, text: string): void {
  print(json ? JSON.stringify(value) : text);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
