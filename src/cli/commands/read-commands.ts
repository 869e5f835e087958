/** `status`, `ls` and `show`: reading the event tables. */
import type { Command } from 'commander';
import { isoTime } from '../../core/clock.js';
import { ALL_STATUSES } from '../../core/status.js';
import type { MessageRow } from '../../store/port.js';
import { queryRows } from '../../ops/row-query.js';
import { parseJsonText, rowJson } from '../../ops/row-json.js';
import { eventStory, statusSummary } from '../../ops/summary.js';
import {
  CliError,
  ExitCode,
  parseFilters,
  parseLimit,
  parseTable,
  print,
  printJson,
  usage,
  withFilters,
  withStore,
  withUrl,
  type CommonFlags,
  type FilterFlags,
} from '../cli-support.js';
import { age, firstLine, safe, table } from '../format.js';

export function addReadCommands(program: Command): void {
  withUrl(program.command('status'))
    .description('counts per table, message type and status, and the age of the oldest waiting row per type')
    .option('--table <table>', 'only this table')
    .action(async (flags: CommonFlags & { table?: string }) => {
      const summary = await withStore(flags, (store) => statusSummary(store, { table: parseTable(flags.table) }));
      if (flags.json) {
        printJson({
          at: isoTime(summary.at),
          types: summary.types.map((t) => ({ ...t })),
          totals: summary.totals,
        });
        return;
      }
      if (summary.types.length === 0) return print('no message rows');
      const lines = summary.types.map((t) => [
        t.table,
        safe(t.messageType),
        ...ALL_STATUSES.map((s) => String(t.counts[s])),
        t.oldestWaitingAgeMs === null ? '-' : age(t.oldestWaitingAgeMs),
      ]);
      lines.push(['', 'TOTAL', ...ALL_STATUSES.map((s) => String(summary.totals[s])), '']);
      print(table(['TABLE', 'MESSAGE_TYPE', ...ALL_STATUSES, 'OLDEST_WAITING'], lines));
    });

  withFilters(withUrl(program.command('ls')))
    .description('list message rows, oldest first, with filters and paging')
    .option('--limit <n>', 'rows per page (1..10000)', '50')
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (flags: CommonFlags & FilterFlags & { limit?: string; after?: string }) => {
      const limit = parseLimit(flags.limit, 50);
      const page = await withStore(flags, (store) =>
        queryRows(store, parseFilters(flags, Date.now()), { limit, after: flags.after }),
      );
      if (flags.json) return printJson({ rows: page.rows.map(rowJson), next: page.next });
      print(rowsTable(page.rows));
      if (page.next !== null) process.stderr.write(`more rows: --after ${page.next}\n`);
    });

  withUrl(program.command('show'))
    .description("one event's whole story: every message row in order, payload and working data")
    .argument('<eventId>', 'the EVENT_ID')
    .action(async (eventId: string, flags: CommonFlags) => {
      if (eventId.trim() === '') throw usage('eventId must not be empty');
      const story = await withStore(flags, (store) => eventStory(store, eventId));
      if (story === null) throw new CliError(`no event ${eventId}`, ExitCode.NOT_FOUND);
      if (flags.json) {
        return printJson({
          eventId: story.eventId,
          rows: story.rows.map(rowJson),
          payload: story.payload === null ? null : parseJsonText(story.payload),
          workingData: Object.fromEntries(Object.entries(story.workingData).map(([k, v]) => [k, parseJsonText(v)])),
        });
      }
      print(`EVENT ${safe(story.eventId)}\n`);
      story.rows.forEach((r, i) => print(rowStory(r, i + 1)));
      print(`PAYLOAD\n${indent(story.payload === null ? '(none)' : pretty(story.payload))}\n`);
      const wd = Object.entries(story.workingData);
      print(`WORKING DATA${wd.length === 0 ? '\n  (none)' : ''}`);
      for (const [name, value] of wd) print(`  ${safe(name)} = ${safe(value)}`);
    });
}

export function rowsTable(rows: readonly MessageRow[]): string {
  if (rows.length === 0) return 'no rows';
  return table(
    [
      'EVENT_ID',
      'MESSAGE_TYPE',
      'STATUS',
      'ATTEMPTS',
      'CREATED_BY',
      'CREATED_DTTM',
      'UPDATED_BY',
      'UPDATED_DTTM',
      'LAST_ERROR',
    ],
    rows.map((r) => [
      safe(r.eventId),
      safe(r.messageType),
      r.status,
      `${r.attempts}/${r.maxAttempts}`,
      safe(r.createdBy),
      isoTime(r.createdAt),
      safe(r.updatedBy),
      isoTime(r.updatedAt),
      firstLine(r.lastError),
    ]),
  );
}

function rowStory(r: MessageRow, n: number): string {
  const lines = [
    `${n}. ${safe(r.messageType)} (${r.table})  ${r.status}  attempts ${r.attempts}/${r.maxAttempts}`,
    `   created ${isoTime(r.createdAt)} by ${safe(r.createdBy)}`,
    `   updated ${isoTime(r.updatedAt)} by ${safe(r.updatedBy)}  (+${age(r.updatedAt - r.createdAt)})`,
  ];
  if (r.leaseOwner !== null) {
    lines.push(
      r.leaseExpiresAt === null
        ? `   last lease owner ${safe(r.leaseOwner)}`
        : `   lease   ${safe(r.leaseOwner)} until ${isoTime(r.leaseExpiresAt)}`,
    );
  }
  if (r.orderingKey !== null) lines.push(`   ordering key ${safe(r.orderingKey)}`);
  if (r.groupKey !== null) lines.push(`   group   ${safe(r.groupKey)}`);
  if (r.priority !== 0) lines.push(`   priority ${r.priority}`);
  if (r.traceparent !== null) lines.push(`   traceparent ${safe(r.traceparent)}`);
  if (r.lastError !== null) lines.push(`   last error:\n${indent(safe(r.lastError), 6)}`);
  return `${lines.join('\n')}\n`;
}

const pretty = (text: string): string => {
  const v = parseJsonText(text);
  return safe(typeof v === 'string' ? v : JSON.stringify(v, null, 2));
};
const indent = (text: string, n = 2): string =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
