/**
 * The console's JSON API (the UI uses nothing else; docs/operations.md lists it). Rows and
 * stories come as the CLI's --json gives them; errors as `{ error: { code, message } }`.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { isoTime } from '../core/clock.js';
import { isEventyardError } from '../core/errors.js';
import { ALL_TABLES, type Table } from '../core/message-type.js';
import { isStatus } from '../core/status.js';
import type { EventStore } from '../store/port.js';
import { planPurge, planRedrive, purge, redrive, redriveRows, type PurgeQuery } from '../ops/actions.js';
import type { CountHistory } from '../ops/count-history.js';
import { flowMap } from '../ops/flow-map.js';
import { listParkedKeys, skipParkedHead } from '../ops/parked-keys.js';
import { queryRows, type RowQuery } from '../ops/row-query.js';
import { parseJsonText, rowJson } from '../ops/row-json.js';
import { errorGroups, eventStory, statusSummary } from '../ops/summary.js';
import { SESSION_COOKIE, type ConsoleGuard, type Principal } from './security.js';

export interface ApiDeps {
  readonly store: EventStore;
  readonly guard: ConsoleGuard;
  readonly history: CountHistory;
  readonly readOnly: boolean;
  readonly basePath: string;
  readonly storeLabel: string;
  readonly traceUrl: string | undefined;
}

class BadRequest extends Error {}

const text = (v: unknown, name: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new BadRequest(`${name} must be a non-empty string`);
  return v.trim();
};

/** A filter from query parameters or a JSON body: table, type, status (comma list), event, since, until, error. */
export function filterFrom(get: (name: string) => unknown): RowQuery {
  const table = text(get('table'), 'table');
  if (table !== undefined && !(ALL_TABLES as readonly string[]).includes(table))
    throw new BadRequest(`unknown table ${table}`);
  const statusText = text(get('status'), 'status');
  const statuses = statusText?.split(',').map((s) => {
    if (!isStatus(s)) throw new BadRequest(`unknown status ${s}`);
    return s;
  });
  const time = (name: string): number | undefined => {
    const v = text(get(name), name);
    if (v === undefined) return undefined;
    const at = Date.parse(v);
    if (Number.isNaN(at)) throw new BadRequest(`${name} must be an ISO time`);
    return at;
  };
  const q: RowQuery = {
    table: table === undefined ? undefined : (table as Table),
    messageType: text(get('type'), 'type'),
    statuses,
    eventId: text(get('event'), 'event'),
    since: time('since'),
    until: time('until'),
    errorText: text(get('error'), 'error'),
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
}

/** The store's codes for a request that is wrong as sent: answered 400, not 500. */
const CLIENT_ERRORS: ReadonlySet<string> = new Set([
  'EY_INVALID_OPTION',
  'EY_INVALID_FILTER',
  'EY_INVALID_IDENTIFIER',
  'EY_INVALID_CURSOR',
  'EY_FILTER_REQUIRED',
]);

const fail = (c: Context, status: 400 | 401 | 403 | 404 | 429 | 500 | 503, code: string, message: string): Response =>
  c.json({ error: { code, message } }, status);

async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const value = (await c.req.json()) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new BadRequest('the body must be a JSON object');
}

export function apiRoutes(deps: ApiDeps): Hono {
  const { store, guard, history } = deps;
  const api = new Hono();
  api.onError((error, c) => {
    if (error instanceof BadRequest) return fail(c, 400, 'EY_CONSOLE_BAD_REQUEST', error.message);
    if (isEventyardError(error)) {
      const status = CLIENT_ERRORS.has(error.code) ? 400 : error.code === 'EY_STORE_UNAVAILABLE' ? 503 : 500;
      return fail(c, status, error.code, error.message);
    }
    return fail(c, 500, 'EY_CONSOLE_INTERNAL', 'internal error');
  });
  const writable = (c: Context): Response | undefined =>
    deps.readOnly ? fail(c, 403, 'EY_CONSOLE_READ_ONLY', 'the console is read-only') : undefined;
  const principal = (c: Context): Principal =>
    (c.get('principal' as never) as Principal | undefined) ?? { kind: 'open' };

  api.get('/session', (c) => {
    const who = guard.principal(c);
    return c.json({
      authRequired: guard.authRequired,
      authenticated: who !== undefined,
      readOnly: deps.readOnly,
      csrfToken: who === undefined ? null : guard.csrfToken(who),
      store: deps.storeLabel,
      traceUrl: deps.traceUrl ?? null,
    });
  });

  api.post('/login', async (c) => {
    const refusal = guard.sameOrigin(c);
    if (refusal !== undefined) return fail(c, 403, 'EY_CONSOLE_CSRF', refusal);
    if (guard.loginThrottled()) return fail(c, 429, 'EY_CONSOLE_THROTTLED', 'too many failed logins; wait a minute');
    if (!guard.checkCredentials(await body(c))) return fail(c, 401, 'EY_CONSOLE_BAD_CREDENTIALS', 'wrong credentials');
    const id = guard.newSession();
    setCookie(c, SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: deps.basePath === '' ? '/' : deps.basePath,
      secure: new URL(c.req.url).protocol === 'https:',
    });
    return c.json({ ok: true, csrfToken: guard.csrfToken({ kind: 'session', id }) });
  });

  api.post('/logout', (c) => {
    const who = principal(c);
    if (who.kind === 'session') guard.endSession(who.id);
    deleteCookie(c, SESSION_COOKIE, { path: deps.basePath === '' ? '/' : deps.basePath });
    return c.json({ ok: true });
  });

  api.get('/status', async (c) => {
    const s = await statusSummary(store);
    return c.json({ at: isoTime(s.at), types: s.types, totals: s.totals });
  });

  api.get('/history', (c) => c.json(history.series()));

  api.get('/flow', async (c) => c.json(await flowMap(store, history)));

  api.get('/rows', async (c) => {
    const query = filterFrom((n) => c.req.query(n));
    const limitText = c.req.query('limit') ?? '50';
    const limit = Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new BadRequest('limit must be 1..1000');
    const page = await queryRows(store, query, { limit, after: c.req.query('after') });
    return c.json({ rows: page.rows.map(rowJson), next: page.next });
  });

  api.get('/events/:eventId', async (c) => {
    const story = await eventStory(store, c.req.param('eventId'));
    if (story === null) return fail(c, 404, 'EY_CONSOLE_NOT_FOUND', 'no such event');
    return c.json({
      eventId: story.eventId,
      rows: story.rows.map(rowJson),
      payload: story.payload === null ? null : parseJsonText(story.payload),
      workingData: Object.fromEntries(Object.entries(story.workingData).map(([k, v]) => [k, parseJsonText(v)])),
    });
  });

  api.get('/errors', async (c) => {
    const { groups, scanned, truncated } = await errorGroups(
      store,
      filterFrom((n) => c.req.query(n)),
    );
    return c.json({
      scanned,
      truncated,
      groups: groups.map(({ rows, lastAt, ...g }) => ({ ...g, lastAt: isoTime(lastAt), rowCount: rows.length })),
    });
  });

  api.post('/errors/redrive', async (c) => {
    const refused = writable(c);
    if (refused) return refused;
    const b = await body(c);
    const code = typeof b.code === 'string' ? b.code : undefined;
    const message = typeof b.message === 'string' ? b.message : undefined;
    if (code === undefined || message === undefined) throw new BadRequest("give the group's code and message");
    const { groups } = await errorGroups(
      store,
      filterFrom((n) => b[n]),
    );
    const group = groups.find((g) => g.code === code && g.message === message);
    const redriven = group === undefined ? 0 : await redriveRows(store, group.rows, 'OPERATOR');
    return c.json({ redriven });
  });

  api.post('/redrive', async (c) => {
    const refused = writable(c);
    if (refused) return refused;
    const b = await body(c);
    const query = filterFrom((n) => b[n]);
    const all = b.all === true;
    if (b.dryRun === true) return c.json({ dryRun: true, ...(await planRedrive(store, query, all)) });
    return c.json({ dryRun: false, redriven: await redrive(store, query, 'OPERATOR', all) });
  });

  api.post('/purge', async (c) => {
    const refused = writable(c);
    if (refused) return refused;
    const b = await body(c);
    const statuses = filterFrom((n) => (n === 'status' ? b.status : undefined)).statuses;
    const olderThanMs = b.olderThanMs;
    if (
      olderThanMs !== undefined &&
      (typeof olderThanMs !== 'number' || !Number.isSafeInteger(olderThanMs) || olderThanMs < 0)
    ) {
      throw new BadRequest('olderThanMs must be a non-negative integer');
    }
    const query: PurgeQuery = {
      ...(statuses === undefined ? {} : { statuses: statuses as PurgeQuery['statuses'] }),
      ...(olderThanMs === undefined ? {} : { olderThanMs }),
    };
    const all = b.all === true;
    if (b.dryRun === true) return c.json({ dryRun: true, ...(await planPurge(store, query, all)) });
    return c.json({ dryRun: false, deleted: await purge(store, query, all) });
  });

  // Ordering keys parked by a FAILED head. A store without ordering keys has none to show.
  api.get('/keys/parked', async (c) => {
    if (!store.features.orderingKeys) return c.json({ supported: false, keys: [], next: null });
    const table = filterFrom((n) => (n === 'table' ? c.req.query('table') : undefined)).table;
    const limit = Number(c.req.query('limit') ?? '50');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new BadRequest('limit must be 1..1000');
    const after = text(c.req.query('after'), 'after');
    const page = await listParkedKeys(store, {
      limit,
      ...(table === undefined ? {} : { table }),
      ...(after === undefined ? {} : { after }),
    });
    return c.json({
      supported: true,
      keys: page.keys.map((k) => ({
        table: k.table,
        orderingKey: k.orderingKey,
        waiting: k.waiting,
        head: rowJson(k.head),
      })),
      next: page.next,
    });
  });

  api.post('/keys/skip', async (c) => {
    const refused = writable(c);
    if (refused) return refused;
    const b = await body(c);
    const row = filterFrom((n) => b[n]);
    if (row.table === undefined || row.messageType === undefined || row.eventId === undefined) {
      throw new BadRequest("give the head's table, type and event");
    }
    const skipped = await skipParkedHead(
      store,
      { table: row.table, messageType: row.messageType, eventId: row.eventId },
      'OPERATOR',
    );
    return c.json({ skipped });
  });

  api.all('*', (c) => fail(c, 404, 'EY_CONSOLE_NOT_FOUND', 'no such API route'));
  return api;
}
