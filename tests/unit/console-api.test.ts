/** The console's JSON API and guards, through Hono's in-process request (no socket). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsole, startConsoleServer, type Console } from '../../src/console/index.js';
import type { EventStore } from '../../src/index.js';
import { redactUrl } from '../../src/ops/connect.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { seedOpsFixture, type OpsFixture } from '../support/ops-fixture.js';
import { parkKey } from '../support/parked-key.js';

const COUNTS = { completed: 5, failed: 3, timeouts: 2, waiting: 4 };
const FAILED = COUNTS.failed + COUNTS.timeouts + 1;
const TOKEN = 'api-test-token-0123456789';
const BASE = 'http://127.0.0.1:8080';

let store: EventStore;
let fixture: OpsFixture;
let consoles: Console[] = [];

const make = (options: Partial<Parameters<typeof createConsole>[0]> = {}): Console => {
  const c = createConsole({ store, env: {}, sampleIntervalMs: 60_000, ...options });
  consoles.push(c);
  return c;
};

async function call(c: Console, path: string, init: RequestInit = {}) {
  const res = await c.app.request(`${BASE}${path}`, init);
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json().catch(() => null)) as Record<string, unknown>,
  };
}

async function csrfOf(c: Console, headers: Record<string, string> = {}): Promise<string> {
  return (await call(c, '/api/session', { headers })).body.csrfToken as string;
}

const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:' });
  fixture = await seedOpsFixture(store, COUNTS);
});

afterEach(async () => {
  for (const c of consoles) c.close();
  consoles = [];
  await store.close();
});

describe('console API: reads', () => {
  it('status gives exact counts per type and status, and oldest waiting ages', async () => {
    const { status, body } = await call(make(), '/api/status');
    expect(status).toBe(200);
    const all = 2 + COUNTS.completed + COUNTS.failed + COUNTS.timeouts;
    expect(body.totals).toEqual({
      UNPROCESSED: COUNTS.waiting,
      IN_PROGRESS: 0,
      COMPLETED: all + COUNTS.completed,
      ERROR: 1,
      RETRY: 0,
      FAILED,
    });
    const types = body.types as {
      messageType: string;
      counts: Record<string, number>;
      oldestWaitingAgeMs: number | null;
    }[];
    expect(types.map((t) => t.messageType)).toEqual(['IN_ORDER', 'RQ_B_STP']);
    expect(types[0]?.counts).toEqual({
      UNPROCESSED: COUNTS.waiting,
      IN_PROGRESS: 0,
      COMPLETED: all,
      ERROR: 0,
      RETRY: 0,
      FAILED: 0,
    });
    expect(types[0]?.oldestWaitingAgeMs).toBeGreaterThanOrEqual(0);
    expect(types[1]?.oldestWaitingAgeMs).toBeGreaterThanOrEqual(0); // the ERROR row waits for its retry
  });

  it('rows filter by status, type, error text and time, and page without repeats', async () => {
    const c = make();
    const failed = await call(c, '/api/rows?status=FAILED&type=RQ_B_STP');
    expect((failed.body.rows as unknown[]).length).toBe(FAILED);
    const declined = await call(c, '/api/rows?error=CARD%20DECLINED');
    const ids = (declined.body.rows as { eventId: string }[]).map((r) => r.eventId).sort();
    expect(ids).toEqual([...fixture.failedEventIds].sort());
    const future = await call(c, `/api/rows?since=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.rows).toEqual([]);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await call(c, `/api/rows?error=declined&limit=2${after === null ? '' : `&after=${after}`}`);
      seen.push(...(page.body.rows as { eventId: string }[]).map((r) => r.eventId));
      after = page.body.next as string | null;
    } while (after !== null);
    expect(seen.sort()).toEqual([...fixture.failedEventIds].sort());
    expect((await call(c, '/api/rows?status=NOPE')).status).toBe(400);
    expect((await call(c, '/api/rows?limit=0')).status).toBe(400);
  });

  it('an event story has its rows in order, payload and working data; an unknown id is 404', async () => {
    const c = make();
    const id = fixture.completedEventIds[0] as string;
    const { body } = await call(c, `/api/events/${id}`);
    expect((body.rows as { messageType: string; status: string }[]).map((r) => [r.messageType, r.status])).toEqual([
      ['IN_ORDER', 'COMPLETED'],
      ['RQ_B_STP', 'COMPLETED'],
    ]);
    expect(body.payload).toEqual({ orderId: 'o-0', amount: 10 });
    expect(body.workingData).toEqual({ 'a.checked': true });
    expect(JSON.stringify(body)).not.toContain('claimToken');
    expect((await call(c, '/api/events/no-such-event')).status).toBe(404);
  });

  it('errors are grouped by code and message with ids folded', async () => {
    const { body } = await call(make(), '/api/errors');
    const groups = (body.groups as { code: string; message: string; count: number }[]).map((g) => [
      g.code,
      g.message,
      g.count,
    ]);
    expect(groups.slice(0, 2)).toEqual([
      ['Error', 'card declined for order #', COUNTS.failed],
      ['EY_HANDLER_TIMEOUT', 'handler ran past # ms', COUNTS.timeouts],
    ]);
    expect(groups.length).toBe(4);
  });

  it('serves the page with a strict Content-Security-Policy and no inline script', async () => {
    const res = await make().app.request(`${BASE}/`);
    const html = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(html).not.toMatch(/<script>|<style>|style=/);
  });
});

describe('console API: changes and their guards', () => {
  it('re-drive needs the CSRF header, JSON and a same-origin request', async () => {
    const c = make();
    const body = { status: 'FAILED', error: 'declined' };
    expect((await call(c, '/api/redrive', jsonPost(body))).status).toBe(403);
    const csrf = await csrfOf(c);
    expect((await call(c, '/api/redrive', jsonPost(body, { 'x-eventyard-csrf': 'forged' }))).status).toBe(403);
    expect(
      (await call(c, '/api/redrive', jsonPost(body, { 'x-eventyard-csrf': csrf, origin: 'http://evil.example' })))
        .status,
    ).toBe(403);
    expect(
      (
        await call(c, '/api/redrive', {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'x-eventyard-csrf': csrf },
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(403);
    const dry = await call(c, '/api/redrive', jsonPost({ ...body, dryRun: true }, { 'x-eventyard-csrf': csrf }));
    expect(dry.body).toEqual({ dryRun: true, count: COUNTS.failed, truncated: false });
    const done = await call(c, '/api/redrive', jsonPost(body, { 'x-eventyard-csrf': csrf, origin: BASE }));
    expect(done.body).toEqual({ dryRun: false, redriven: COUNTS.failed });
    expect((await store.countByStatus({ statuses: ['RETRY'] })).reduce((n, x) => n + x.count, 0)).toBe(COUNTS.failed);
  });

  it('an unfiltered re-drive or purge needs "all"', async () => {
    const c = make();
    const csrf = await csrfOf(c);
    const h = { 'x-eventyard-csrf': csrf };
    expect((await call(c, '/api/redrive', jsonPost({}, h))).status).toBe(400);
    expect((await call(c, '/api/redrive', jsonPost({ all: true }, h))).body).toEqual({
      dryRun: false,
      redriven: FAILED + 1,
    });
    expect((await call(c, '/api/purge', jsonPost({}, h))).status).toBe(400);
    expect((await call(c, '/api/purge', jsonPost({ olderThanMs: 86_400_000, dryRun: true }, h))).body).toEqual({
      dryRun: true,
      count: 0,
      truncated: false,
    });
    const completed = 2 * COUNTS.completed + COUNTS.failed + COUNTS.timeouts + 2;
    expect((await call(c, '/api/purge', jsonPost({ all: true, status: 'COMPLETED' }, h))).body).toEqual({
      dryRun: false,
      deleted: completed,
    });
  });

  it('an error group is re-driven in bulk', async () => {
    const c = make();
    const h = { 'x-eventyard-csrf': await csrfOf(c) };
    const res = await call(
      c,
      '/api/errors/redrive',
      jsonPost({ code: 'EY_HANDLER_TIMEOUT', message: 'handler ran past # ms' }, h),
    );
    expect(res.body).toEqual({ redriven: COUNTS.timeouts });
  });

  it('read-only refuses every change', async () => {
    const c = make({ readOnly: true });
    const h = { 'x-eventyard-csrf': await csrfOf(c) };
    const res = await call(c, '/api/redrive', jsonPost({ all: true }, h));
    expect(res.status).toBe(403);
    expect((res.body.error as { code: string }).code).toBe('EY_CONSOLE_READ_ONLY');
    expect((await call(c, '/api/purge', jsonPost({ all: true }, h))).status).toBe(403);
    expect((await store.countByStatus({ statuses: ['FAILED'] })).reduce((n, x) => n + x.count, 0)).toBe(FAILED);
  });
});

describe('console API: parked keys', () => {
  it('lists parked keys with their waiting rows; skip needs CSRF, refuses read-only, and lets the key go on', async () => {
    const parked = await parkKey(store, 'account-7', 2);
    const c = make();
    const list = await call(c, '/api/keys/parked');
    expect(list.status).toBe(200);
    expect(list.body.next).toBeNull();
    const keys = list.body.keys as {
      table: string;
      orderingKey: string;
      waiting: number;
      head: Record<string, unknown>;
    }[];
    expect(
      keys.map((k) => [k.table, k.orderingKey, k.waiting, k.head.eventId, k.head.status, k.head.lastError]),
    ).toEqual([['request', 'account-7', 2, parked.headEventId, 'FAILED', 'ledger closed']]);
    expect((await call(c, '/api/keys/parked?table=inbound')).body).toEqual({ supported: true, keys: [], next: null });
    expect((await call(c, '/api/keys/parked?limit=0')).status).toBe(400);

    const body = { table: 'request', type: 'RQ_LEDGER', event: parked.headEventId };
    expect((await call(c, '/api/keys/skip', jsonPost(body))).status).toBe(403);
    const readOnly = make({ readOnly: true });
    const refused = await call(
      readOnly,
      '/api/keys/skip',
      jsonPost(body, { 'x-eventyard-csrf': await csrfOf(readOnly) }),
    );
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('EY_CONSOLE_READ_ONLY');
    const h = { 'x-eventyard-csrf': await csrfOf(c) };
    expect((await call(c, '/api/keys/skip', jsonPost({ table: 'request', type: 'RQ_LEDGER' }, h))).status).toBe(400);
    expect((await call(c, '/api/keys/skip', jsonPost({ ...body, event: 'nope' }, h))).status).toBe(400);
    expect((await call(c, '/api/keys/skip', jsonPost(body, h))).body).toEqual({ skipped: true });
    expect((await call(c, '/api/keys/skip', jsonPost(body, h))).body).toEqual({ skipped: false });
    expect((await call(c, '/api/keys/parked')).body).toEqual({ supported: true, keys: [], next: null });
    const [head] = (await store.list({ eventId: parked.headEventId, limit: 1 })).rows;
    expect(head?.lastError).toMatch(/^EY_KEY_SKIPPED: skipped by OPERATOR at .+Z; was: ledger closed$/);
  });
});

describe('console API: authentication', () => {
  it('token: 401 without, Bearer works without CSRF, a cookie session needs CSRF', async () => {
    const c = make({ auth: { token: TOKEN } });
    expect((await call(c, '/api/status')).status).toBe(401);
    expect((await call(c, '/api/status', { headers: { authorization: 'Bearer wrong-token-000000' } })).status).toBe(
      401,
    );
    expect((await call(c, '/api/status', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const bearer = await call(
      c,
      '/api/redrive',
      jsonPost({ type: 'RQ_B_STP', status: 'ERROR' }, { authorization: `Bearer ${TOKEN}` }),
    );
    expect(bearer.body).toEqual({ dryRun: false, redriven: 1 });
    expect((await call(c, '/api/login', jsonPost({ token: 'nope-nope-nope' }))).status).toBe(401);
    const login = await c.app.request(`${BASE}/api/login`, jsonPost({ token: TOKEN }));
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(login.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    expect((await call(c, '/api/status', { headers: { cookie } })).status).toBe(200);
    expect((await call(c, '/api/redrive', jsonPost({ all: true }, { cookie }))).status).toBe(403);
    expect(
      (await call(c, '/api/redrive', jsonPost({ all: true }, { cookie, 'x-eventyard-csrf': csrfToken }))).status,
    ).toBe(200);
    await call(c, '/api/logout', jsonPost({}, { cookie, 'x-eventyard-csrf': csrfToken }));
    expect((await call(c, '/api/status', { headers: { cookie } })).status).toBe(401);
  });

  it('basic auth from the environment', async () => {
    const c = make({ env: { EVENTYARD_CONSOLE_USER: 'ops', EVENTYARD_CONSOLE_PASSWORD: 'correct-horse-battery' } });
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await call(c, '/api/status', { headers: basic('ops', 'wrong-password-00') })).status).toBe(401);
    expect((await call(c, '/api/status', { headers: basic('ops', 'correct-horse-battery') })).status).toBe(200);
    // a browser re-sends Basic credentials on its own: changes still need the CSRF token
    expect((await call(c, '/api/redrive', jsonPost({ all: true }, basic('ops', 'correct-horse-battery')))).status).toBe(
      403,
    );
  });

  it('without auth, only loopback Host names are answered (DNS rebinding)', async () => {
    const res = await call(make(), '/api/status', { headers: { host: 'rebind.evil.example' } });
    expect(res.status).toBe(421);
  });

  it('refuses a non-loopback listen address without credentials, and short secrets', async () => {
    await expect(startConsoleServer({ store, host: '0.0.0.0', port: 0, env: {} })).rejects.toThrow(
      /without authentication/,
    );
    expect(() => make({ auth: { token: 'short' } })).toThrow(/at least 12/);
    const server = await startConsoleServer({ store, host: '0.0.0.0', port: 0, auth: { token: TOKEN }, env: {} });
    await server.close();
  });

  it('never shows a connection password', async () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0?prefix=x')).toBe('redis://user:***@host:6379/0?prefix=x');
    const { body } = await call(make({ storeLabel: redactUrl('redis://:s3cret@host:6379') }), '/api/session');
    expect(JSON.stringify(body)).not.toContain('s3cret');
  });
});

describe('console: health and the metrics slot', () => {
  const service = (healthy: boolean, lastPollAt: number) => ({
    health: () => ({
      name: 'S',
      running: true,
      healthy,
      processors: [{ table: 'request' as const, running: true, healthy, inFlight: 0, lastPollAt }],
    }),
  });

  it('live and ready follow the services; ready also needs the store', async () => {
    const ok = make({ services: [service(true, Date.now())] });
    expect((await call(ok, '/healthz/live')).status).toBe(200);
    expect((await call(ok, '/healthz/ready')).status).toBe(200);
    const leasesFailing = make({ services: [service(false, Date.now() - 600_000)] });
    expect((await call(leasesFailing, '/healthz/live')).status).toBe(200);
    expect((await call(leasesFailing, '/healthz/ready')).status).toBe(503);
    const stuck = make({ services: [service(true, Date.now() - 600_000)] });
    expect((await call(stuck, '/healthz/live')).status).toBe(503);
  });

  it('serves a given metrics handler at /metrics, behind auth', async () => {
    const c = make({
      auth: { token: TOKEN },
      metrics: () => new Response('eventyard_up 1\n', { headers: { 'content-type': 'text/plain' } }),
    });
    expect((await c.app.request(`${BASE}/metrics`)).status).toBe(401);
    const res = await c.app.request(`${BASE}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await res.text()).toBe('eventyard_up 1\n');
    expect((await make().app.request(`${BASE}/metrics`)).status).toBe(404);
  });
});
