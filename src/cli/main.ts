#!/usr/bin/env node
/**
 * The `eventyard` command: read and operate the event tables of a running application.
 *
 *   eventyard status --url sqlite:./app.db
 *   eventyard ls --status FAILED --json
 *   eventyard show <eventId>
 *   eventyard redrive --type RQ_B_STP --status FAILED
 *   eventyard keys parked
 *   eventyard keys skip request RQ_B_STP <eventId>
 *   eventyard console --port 8080
 */
import { Command, CommanderError } from 'commander';
import { addChangeCommands } from './commands/change-commands.js';
import { addConsoleCommand } from './commands/console-command.js';
import { addKeysCommands } from './commands/keys-commands.js';
import { addReadCommands } from './commands/read-commands.js';
import { addTailCommand } from './commands/tail-command.js';
import { describeFailure, ExitCode } from './cli-support.js';

export function buildProgram(): Command {
  const program = new Command('eventyard')
    .description(
      'Operate Eventyard event tables: status, rows, event stories, re-drive, purge, parked keys, live console',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addReadCommands(program);
  addChangeCommands(program);
  addKeysCommands(program);
  addTailCommand(program);
  addConsoleCommand(program);
  const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((cmd) => [cmd, ...all(cmd.commands)]);
  for (const cmd of all(program.commands)) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its usage message otherwise.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`eventyard: ${message}\n`);
    return exitCode;
  }
}

const direct = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.[jt]s$/.test(process.argv[1]);
if (direct) {
  process.exitCode = await runCli(process.argv.slice(2));
}
