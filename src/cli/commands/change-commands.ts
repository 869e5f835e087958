/** `redrive` and `purge`: the operator's changes, each with a preview and a confirmation. */
import type { Command } from 'commander';
import { planPurge, planRedrive, purge, redrive, type PurgeQuery } from '../../ops/actions.js';
import {
  CliError,
  confirm,
  ExitCode,
  parseDuration,
  parseFilters,
  parseStatuses,
  print,
  printJson,
  usage,
  withFilters,
  withStore,
  withUrl,
  type CommonFlags,
  type FilterFlags,
} from '../cli-support.js';

interface ChangeFlags extends CommonFlags {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly all?: boolean;
  readonly by?: string;
}

export function addChangeCommands(program: Command): void {
  withFilters(withUrl(program.command('redrive')))
    .description('move ERROR and FAILED rows back to RETRY (attempts reset), for another try')
    .option('--all', 'with no other filter: every ERROR and FAILED row')
    .option('--dry-run', 'only count the rows that would be re-driven')
    .option('-y, --yes', 'do not ask before changing more than one row')
    .option('--by <name>', 'UPDATED_BY written to the rows', 'OPERATOR')
    .action(async (flags: ChangeFlags & FilterFlags) => {
      const query = parseFilters(flags, Date.now());
      const all = flags.all === true;
      if (!all && Object.keys(query).length === 0) {
        throw usage('redrive needs a filter (--type, --status, --event, --table, --since, --until, --error) or --all');
      }
      await withStore(flags, async (store) => {
        const plan = await planRedrive(store, query, all);
        const count = `${plan.truncated ? 'at least ' : ''}${plan.count}`;
        if (flags.dryRun) {
          return flags.json
            ? printJson({ dryRun: true, matched: plan.count, truncated: plan.truncated })
            : print(`would re-drive ${count} row(s)`);
        }
        if (plan.count > 1 && flags.yes !== true && !(await confirm(`re-drive ${count} rows to RETRY?`))) {
          throw new CliError('declined: nothing changed', ExitCode.DECLINED);
        }
        const moved = plan.count === 0 ? 0 : await redrive(store, query, flags.by ?? 'OPERATOR', all);
        return flags.json ? printJson({ dryRun: false, redriven: moved }) : print(`re-drove ${moved} row(s) to RETRY`);
      });
    });

  withUrl(program.command('purge'))
    .description('delete COMPLETED and FAILED rows (and payloads and working data no row needs any more)')
    .option('--status <statuses>', 'COMPLETED, FAILED or both (default: both)')
    .option('--older-than <age>', 'only rows last updated longer ago than this, e.g. 7d, 12h')
    .option('--all', 'without --older-than: every terminal row')
    .option('--dry-run', 'only count the rows that would be deleted')
    .option('-y, --yes', 'do not ask before deleting more than one row')
    .action(async (flags: ChangeFlags & { status?: string; olderThan?: string }) => {
      const statuses = parseStatuses(flags.status);
      if (statuses?.some((s) => s !== 'COMPLETED' && s !== 'FAILED'))
        throw usage('purge deletes COMPLETED and FAILED rows only');
      const query: PurgeQuery = {
        ...(statuses === undefined ? {} : { statuses: statuses as ('COMPLETED' | 'FAILED')[] }),
        ...(flags.olderThan === undefined ? {} : { olderThanMs: parseDuration('older-than', flags.olderThan) }),
      };
      const all = flags.all === true;
      if (!all && query.olderThanMs === undefined) throw usage('purge needs --older-than <age> or --all');
      await withStore(flags, async (store) => {
        const plan = await planPurge(store, query, all);
        const count = `${plan.truncated ? 'at least ' : ''}${plan.count}`;
        if (flags.dryRun) {
          return flags.json
            ? printJson({ dryRun: true, matched: plan.count, truncated: plan.truncated })
            : print(`would delete ${count} row(s)`);
        }
        if (plan.count > 1 && flags.yes !== true && !(await confirm(`delete ${count} rows?`))) {
          throw new CliError('declined: nothing deleted', ExitCode.DECLINED);
        }
        const deleted = plan.count === 0 ? 0 : await purge(store, query, all);
        return flags.json ? printJson({ dryRun: false, deleted }) : print(`deleted ${deleted} row(s)`);
      });
    });
}
