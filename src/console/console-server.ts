/**
 * The web console: a Hono app serving the UI, its JSON API, health probes and (when given)
 * metrics. Run it alone with {@link startConsoleServer} (what `eventyard console` does) or
 * mount it: `app.route('/ops', createConsole({ store, basePath: '/ops' }).app)` in Hono,
 * `app.use('/ops', createConsole({ store }).listener)` in Express, or in Fastify a wildcard
 * route that hands `req.raw`/`reply.raw` to the listener (see docs/operations.md).
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ErrorCode, EventyardError } from '../core/errors.js';
import { probeHealth } from '../processing/health-probe.js';
import { CountHistory } from '../ops/count-history.js';
import { apiRoutes } from './api-routes.js';
import { authFromOptions, isLoopbackHost, type ConsoleOptions } from './console-options.js';
import { ConsoleGuard } from './security.js';
import { INDEX_HTML, loadUiAssets } from './ui-assets.js';

export interface Console {
  /** The Hono app (mount with `route`, or call `app.fetch`). */
  readonly app: Hono;
  /** A Node request listener (Express middleware, `http.createServer`). */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Starts sampling counts for the charts (started by createConsole). */
  readonly history: CountHistory;
  readonly authRequired: boolean;
  /** Stops the sampler. The store stays open: it is the caller's. */
  close(): void;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function createConsole(options: ConsoleOptions): Console {
  const guard = new ConsoleGuard(authFromOptions(options));
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (basePath !== '' && !/^\/[A-Za-z0-9._~/-]*$/.test(basePath)) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `console basePath must be a path such as /ops (got ${basePath})`,
    );
  }
  const history = new CountHistory(options.store, { intervalMs: options.sampleIntervalMs ?? 5_000 });
  history.start();
  const root = new Hono();
  const app = basePath === '' ? root : root.basePath(basePath);
  app.use('*', guard.headers());
  app.use('*', guard.hostCheck());

  app.get('/healthz/live', (c) => {
    const report = probeHealth(options.services ?? []);
    return c.json(report, report.live ? 200 : 503);
  });
  app.get('/healthz/ready', async (c) => {
    const report = probeHealth(options.services ?? []);
    let storeReachable = true;
    try {
      await withTimeout(options.store.now(), 2_000);
    } catch {
      storeReachable = false;
    }
    const ready = report.ready && storeReachable;
    return c.json({ ...report, ready, storeReachable }, ready ? 200 : 503);
  });

  app.use('/api/*', guard.apiGuard(['/api/session', '/api/login']));
  app.route(
    '/api',
    apiRoutes({
      store: options.store,
      guard,
      history,
      readOnly: options.readOnly ?? false,
      basePath,
      storeLabel: options.storeLabel ?? 'store',
      traceUrl: options.traceUrl,
    }),
  );
  const metrics = options.metrics;
  if (metrics !== undefined) {
    app.use('/metrics', guard.apiGuard([]));
    app.get('/metrics', (c) => metrics(c.req.raw));
  }

  app.get('/assets/app.js', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.body((await loadUiAssets()).js, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  app.get('/assets/app.css', async (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.body((await loadUiAssets()).css, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/', (c) => {
    // Relative asset and API URLs need the trailing slash when mounted under a prefix.
    if (basePath !== '' && !new URL(c.req.url).pathname.endsWith('/')) return c.redirect(`${basePath}/`, 308);
    return c.html(INDEX_HTML);
  });

  return {
    app: root,
    listener: getRequestListener((request) => root.fetch(request)),
    history,
    authRequired: guard.authRequired,
    close: () => history.stop(),
  };
}

export interface ConsoleServerOptions extends ConsoleOptions {
  /** @defaultValue 8080 */
  readonly port?: number | undefined;
  /** @defaultValue 127.0.0.1 */
  readonly host?: string | undefined;
}

export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:8080/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port`. Refuses (EY_INVALID_OPTION) a non-loopback address when no
 * credentials are configured: an open console on a network would let anyone re-drive and purge.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const auth = authFromOptions(options);
  if (auth === undefined && !isLoopbackHost(host)) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `refusing to listen on ${host} without authentication: set EVENTYARD_CONSOLE_TOKEN (or _USER and _PASSWORD), or listen on 127.0.0.1`,
    );
  }
  const consoleApp = createConsole({ ...options, auth });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: consoleApp.app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${options.basePath ?? ''}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        consoleApp.close();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
