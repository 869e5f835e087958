/** `console`: serves the web console for the store at --url until Ctrl-C. */
import type { Command } from 'commander';
import { openStoreFromUrl, redactUrl } from '../../ops/connect.js';
import { storeUrl, usage, type CommonFlags } from '../cli-support.js';

interface ConsoleFlags extends CommonFlags {
  readonly port?: string;
  readonly host?: string;
  readonly readOnly?: boolean;
  readonly basePath?: string;
  readonly traceUrl?: string;
}

export function addConsoleCommand(program: Command): void {
  program
    .command('console')
    .description('serve the web console (overview, flow map, rows, errors, event timelines, re-drive)')
    .option('--url <url>', 'store URL (default: $EVENTYARD_URL)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option(
      '--host <host>',
      'address to listen on; other than loopback needs EVENTYARD_CONSOLE_TOKEN or _USER/_PASSWORD',
      '127.0.0.1',
    )
    .option('--read-only', 'refuse re-drive and purge')
    .option('--base-path <path>', 'serve under this path, e.g. /ops')
    .option('--trace-url <template>', 'trace link, {traceId} replaced, e.g. http://localhost:16686/trace/{traceId}')
    .action(async (flags: ConsoleFlags) => {
      const port = Number(flags.port ?? '8080');
      if (!Number.isSafeInteger(port) || port < 0 || port > 65535)
        throw usage(`--port: expected 0..65535 (got ${flags.port})`);
      const url = storeUrl(flags);
      const { startConsoleServer } = await import('../../console/index.js');
      const store = await openStoreFromUrl(url);
      let server;
      try {
        server = await startConsoleServer({
          store,
          port,
          host: flags.host,
          readOnly: flags.readOnly === true,
          basePath: flags.basePath,
          traceUrl: flags.traceUrl,
          storeLabel: redactUrl(url),
        });
      } catch (error) {
        await store.close();
        throw error;
      }
      process.stderr.write(`Eventyard console for ${redactUrl(url)} on ${server.url} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      await store.close();
    });
}
