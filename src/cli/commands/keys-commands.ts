/**
 * `keys parked` and `keys skip`: ordering keys parked by a FAILED head. A parked key's later
 * rows wait until its head is re-driven (`eventyard redrive --event <id> --type <type>`) or
 * skipped here, after which the key continues with its next row.
 */
import type { Command } from 'commander';
import { isoTime } from '../../core/clock.js';
import { isEventyardError } from '../../core/errors.js';
import { listParkedKeys, skipParkedHead } from '../../ops/parked-keys.js';
import { rowJson } from '../../ops/row-json.js';
import {
  CliError,
  confirm,
  ExitCode,
  parseLimit,
  parseTable,
  print,
  printJson,
  usage,
  withStore,
  withUrl,
  type CommonFlags,
} from '../cli-support.js';
import { firstLine, safe, table } from '../format.js';

/** The store's refusal of a bad argument (event id, table, cursor, --by) is a usage error: exit 2. */
async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (
      isEventyardError(error) &&
      ['EY_INVALID_FILTER', 'EY_INVALID_IDENTIFIER', 'EY_INVALID_CURSOR'].includes(error.code)
    ) {
      throw usage(`${error.code}: ${error.message}`);
    }
    throw error;
  }
}

export function addKeysCommands(program: Command): void {
  const keys = program.command('keys').description('ordering keys: list the parked ones, skip a parked head');

  withUrl(keys.command('parked'))
    .description('ordering keys held by a FAILED head, with how many rows wait behind it')
    .option('--table <table>', 'only this table')
    .option('--limit <n>', 'keys per page (1..10000)', '50')
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (flags: CommonFlags & { table?: string; limit?: string; after?: string }) => {
      const limit = parseLimit(flags.limit, 50);
      const request = {
        limit,
        ...(flags.table === undefined ? {} : { table: parseTable(flags.table) }),
        ...(flags.after === undefined ? {} : { after: flags.after }),
      };
      const page = await withStore(flags, (store) => asUsage(listParkedKeys(store, request)));
      if (flags.json) {
        return printJson({
          keys: page.keys.map((k) => ({
            table: k.table,
            orderingKey: k.orderingKey,
            waiting: k.waiting,
            head: rowJson(k.head),
          })),
          next: page.next,
        });
      }
      if (page.keys.length === 0) return print('no parked keys');
      print(
        table(
          ['TABLE', 'ORDERING_KEY', 'WAITING', 'HEAD_EVENT_ID', 'MESSAGE_TYPE', 'FAILED_AT', 'LAST_ERROR'],
          page.keys.map((k) => [
            k.table,
            safe(k.orderingKey),
            String(k.waiting),
            safe(k.head.eventId),
            safe(k.head.messageType),
            isoTime(k.head.updatedAt),
            firstLine(k.head.lastError),
          ]),
        ),
      );
      if (page.next !== null) process.stderr.write(`more keys: --after ${page.next}\n`);
    });

  withUrl(keys.command('skip'))
    .description('let a parked key continue without its FAILED head (the row stays FAILED, marked EY_KEY_SKIPPED)')
    .argument('<table>', "the head's table (inbound, request, response, outbound)")
    .argument('<messageType>', "the head's MESSAGE_TYPE")
    .argument('<eventId>', "the head's EVENT_ID")
    .option('-y, --yes', 'do not ask before skipping')
    .option('--by <name>', 'UPDATED_BY written to the row, and named in LAST_ERROR', 'OPERATOR')
    .action(
      async (
        tableName: string,
        messageType: string,
        eventId: string,
        flags: CommonFlags & { yes?: boolean; by?: string },
      ) => {
        const parsed = parseTable(tableName);
        if (parsed === undefined) throw usage('give the table of the head');
        if (
          flags.yes !== true &&
          !(await confirm(`skip ${messageType} ${eventId}: its key continues with the next row?`))
        ) {
          throw new CliError('declined: nothing changed', ExitCode.DECLINED);
        }
        const skipped = await withStore(flags, (store) =>
          asUsage(skipParkedHead(store, { table: parsed, messageType, eventId }, flags.by ?? 'OPERATOR')),
        );
        if (flags.json) return printJson({ skipped });
        if (!skipped) {
          throw new CliError(
            `${messageType} ${eventId} in ${parsed} is not a parked head (FAILED, keyed, not skipped): nothing changed`,
            ExitCode.NOT_FOUND,
          );
        }
        print(`skipped ${messageType} ${eventId}: its ordering key continues`);
      },
    );
}
