/**
 * The console's guards, as Hono middleware:
 *
 * - headers: a strict Content-Security-Policy (scripts, styles and requests from the console's
 *   own origin only; no inline script or style, no frames), nosniff, no referrer;
 * - authentication: a session cookie from `POST api/login`, or `Authorization: Bearer <token>`
 *   / `Basic` on every request (for scripts);
 * - CSRF: every POST must carry the session's token in `X-Eventyard-CSRF` (a page on another
 *   site cannot read it), except Bearer requests (a browser never adds a Bearer header on its
 *   own), and must send JSON;
 * - without authentication (allowed on loopback only), requests must name a loopback Host,
 *   so a DNS-rebinding page cannot reach the console through the user's browser.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isLoopbackHost, type ConsoleAuth } from './console-options.js';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SESSION_COOKIE = 'eventyard_console';
export const CSRF_HEADER = 'x-eventyard-csrf';
const SESSION_MS = 12 * 3_600_000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export type Principal =
  { readonly kind: 'session'; readonly id: string } | { readonly kind: 'bearer' | 'basic' | 'open' };

export class ConsoleGuard {
  readonly #auth: ConsoleAuth | undefined;
  readonly #secret = randomBytes(32);
  readonly #sessions = new Map<string, number>();
  #failures: number[] = [];

  constructor(auth: ConsoleAuth | undefined) {
    this.#auth = auth;
  }

  get authRequired(): boolean {
    return this.#auth !== undefined;
  }

  /** Checks login credentials: `{ token }` or `{ username, password }`. */
  checkCredentials(body: { token?: unknown; username?: unknown; password?: unknown }): boolean {
    const auth = this.#auth;
    if (auth === undefined) return true;
    const ok =
      'token' in auth
        ? typeof body.token === 'string' && sameSecret(body.token, auth.token)
        : typeof body.username === 'string' &&
          typeof body.password === 'string' &&
          sameSecret(body.username, auth.username) &&
          sameSecret(body.password, auth.password);
    if (!ok) this.#failures.push(Date.now());
    return ok;
  }

  /** More than 20 failed logins in the last minute: further attempts wait. */
  loginThrottled(): boolean {
    const since = Date.now() - 60_000;
    this.#failures = this.#failures.filter((t) => t >= since);
    return this.#failures.length >= 20;
  }

  newSession(): string {
    const id = randomBytes(24).toString('base64url');
    this.#sessions.set(id, Date.now() + SESSION_MS);
    return id;
  }

  endSession(id: string): void {
    this.#sessions.delete(id);
  }

  csrfToken(principal: Principal): string {
    const id = principal.kind === 'session' ? principal.id : principal.kind;
    return createHmac('sha256', this.#secret).update(id).digest('base64url');
  }

  /** Who sent the request, or undefined when it is not authenticated. */
  principal(c: Context): Principal | undefined {
    const auth = this.#auth;
    if (auth === undefined) return { kind: 'open' };
    const header = c.req.header('authorization') ?? '';
    if ('token' in auth && header.startsWith('Bearer ')) {
      return sameSecret(header.slice(7), auth.token) ? { kind: 'bearer' } : undefined;
    }
    if (!('token' in auth) && header.startsWith('Basic ')) {
      const [user = '', ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      return this.checkCredentials({ username: user, password: rest.join(':') }) ? { kind: 'basic' } : undefined;
    }
    const id = getCookie(c, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const expires = this.#sessions.get(id);
    if (expires === undefined || expires < Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return { kind: 'session', id };
  }

  headers(): MiddlewareHandler {
    return async (c, next) => {
      await next();
      c.header('Content-Security-Policy', CSP);
      c.header('X-Content-Type-Options', 'nosniff');
      c.header('Referrer-Policy', 'no-referrer');
      c.header('X-Frame-Options', 'DENY');
      c.header('Cross-Origin-Opener-Policy', 'same-origin');
      c.header('Cross-Origin-Resource-Policy', 'same-origin');
      if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    };
  }

  /** Without auth, only loopback Host names (DNS rebinding). */
  hostCheck(): MiddlewareHandler {
    return async (c, next) => {
      if (this.#auth === undefined) {
        const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
        if (host !== '' && !isLoopbackHost(host)) {
          return c.json(
            {
              error: {
                code: 'EY_CONSOLE_HOST',
                message: 'without authentication the console answers loopback host names only',
              },
            },
            421,
          );
        }
      }
      return next();
    };
  }

  /** API requests need a principal; POSTs need JSON and the CSRF token. */
  apiGuard(open: readonly string[]): MiddlewareHandler {
    return async (c, next) => {
      const path = c.req.path;
      if (open.some((p) => path.endsWith(p))) return next();
      const principal = this.principal(c);
      if (principal === undefined) {
        return c.json({ error: { code: 'EY_CONSOLE_UNAUTHENTICATED', message: 'log in first' } }, 401);
      }
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        const refusal = this.#csrfRefusal(c, principal);
        if (refusal !== undefined) return c.json({ error: { code: 'EY_CONSOLE_CSRF', message: refusal } }, 403);
      }
      c.set('principal' as never, principal as never);
      return next();
    };
  }

  /** Login and logout need JSON and a same-origin request (no session exists yet). */
  sameOrigin(c: Context): string | undefined {
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return 'send application/json';
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request refused';
    const origin = c.req.header('origin');
    if (origin === undefined) return undefined;
    if (origin === 'null' || URL.parse(origin)?.host !== new URL(c.req.url).host) return 'cross-origin request refused';
    return undefined;
  }

  #csrfRefusal(c: Context, principal: Principal): string | undefined {
    if (principal.kind === 'bearer') return undefined;
    const notSame = this.sameOrigin(c);
    if (notSame !== undefined) return notSame;
    const sent = c.req.header(CSRF_HEADER);
    if (sent === undefined || !sameSecret(sent, this.csrfToken(principal)))
      return `missing or wrong ${CSRF_HEADER} header`;
    return undefined;
  }
}
