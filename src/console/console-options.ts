/**
 * Options of the web console. Credentials come from the options or from the environment
 * (EVENTYARD_CONSOLE_TOKEN, or EVENTYARD_CONSOLE_USER + EVENTYARD_CONSOLE_PASSWORD).
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { Service } from '../processing/service.js';
import type { EventStore } from '../store/port.js';

export type ConsoleAuth = { readonly token: string } | { readonly username: string; readonly password: string };

export interface ConsoleOptions {
  /** The store to show and operate. */
  readonly store: EventStore;
  /**
   * Who may use the console. Absent: read from the environment; still absent, no login, which
   * {@link startConsoleServer} allows on loopback addresses only.
   */
  readonly auth?: ConsoleAuth | undefined;
  /** No re-drive, no purge: every state-changing request is refused. @defaultValue false */
  readonly readOnly?: boolean | undefined;
  /** Path prefix when mounted under a path whose prefix is not stripped (Fastify, Hono `route`): e.g. `/ops`. @defaultValue '' */
  readonly basePath?: string | undefined;
  /** Services of this process whose liveness/readiness `/healthz/live` and `/healthz/ready` report. */
  readonly services?: readonly Pick<Service, 'health'>[] | undefined;
  /** Link of a trace, `{traceId}` replaced, e.g. `http://localhost:16686/trace/{traceId}`. */
  readonly traceUrl?: string | undefined;
  /** Served at `/metrics` (behind the console's auth) when given: a Prometheus exposition handler. */
  readonly metrics?: ((request: Request) => Response | Promise<Response>) | undefined;
  /** What the console shows as the store (never a password). @defaultValue the store's kind */
  readonly storeLabel?: string | undefined;
  /** How often counts are sampled for the charts. @defaultValue 5000 */
  readonly sampleIntervalMs?: number | undefined;
  /** Process environment for credentials. @defaultValue process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

export function authFromOptions(options: ConsoleOptions): ConsoleAuth | undefined {
  if (options.auth !== undefined) return checkAuth(options.auth);
  const env = options.env ?? process.env;
  const token = env.EVENTYARD_CONSOLE_TOKEN;
  if (token !== undefined && token !== '') return checkAuth({ token });
  const username = env.EVENTYARD_CONSOLE_USER;
  const password = env.EVENTYARD_CONSOLE_PASSWORD;
  if (username !== undefined && password !== undefined && username !== '') return checkAuth({ username, password });
  return undefined;
}

function checkAuth(auth: ConsoleAuth): ConsoleAuth {
  const secret = 'token' in auth ? auth.token : auth.password;
  if (secret.length < 12) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      'console auth: the token or password must have at least 12 characters',
    );
  }
  return auth;
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
