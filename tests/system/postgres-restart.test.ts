/**
 * PostgreSQL restarting under load, on a private server (tests/support/postgres-server.ts):
 * `restart -m fast`, then `stop -m immediate` + start (crash recovery), while a publisher
 * keeps publishing and a service keeps handling. Processors back off and resume by
 * themselves; no acknowledged publish is lost; no row is completed twice (each handler writes
 * a business row through its transaction, which commits only with COMPLETED); a failing
 * claim is logged once per outage, not once per poll. The server is up again (and then
 * removed) whatever happens.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, type Logger } from '../../src/index.js';
import { createPostgresStore, handlerClient } from '../../src/stores/postgres/index.js';
import { createPostgresServer, type PostgresServerHandle } from '../support/postgres-server.js';

const RQ_WORK = defineMessageType({
  name: 'RQ_WORK',
  schema: z.object({ n: z.number() }),
  retry: { maxAttempts: 100, backoff: 'fixed', delayMs: 50 },
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let server: PostgresServerHandle | undefined;

beforeAll(async () => {
  server = await createPostgresServer();
}, 120_000);

afterAll(async () => {
  // Up again whatever happened (a test may have failed while it was down), then removed.
  if (server !== undefined && !(await server.isUp())) await server.start().catch(() => undefined);
  await server?.destroy();
});

describe('PostgreSQL restarts in the middle of a run', () => {
  it('restart -m fast and stop -m immediate + start: nothing acknowledged lost, nothing completed twice, one log line per outage', async () => {
    const srv = server as PostgresServerHandle;
    const schema = 'ey_fault';
    const lines: { level: string; msg: string }[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_, msg) => void lines.push({ level: 'warn', msg }),
      error: (_, msg) => void lines.push({ level: 'error', msg }),
    };
    const store = await createPostgresStore({
      connectionString: srv.url,
      schema,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      lockTimeoutMs: 2000,
      queryTimeoutMs: 8000,
    });
    const admin = new pg.Pool({ connectionString: srv.url, max: 2 });
    admin.on('error', () => undefined);
    await admin.query(`CREATE TABLE ${schema}.done (event_id text NOT NULL, attempt integer NOT NULL)`);
    const app = createEventyard({ store, messageTypes: [RQ_WORK], logger });
    const service = app
      .service({
        name: 'SERVICE_W',
        concurrency: 16,
        leaseMs: 3000,
        idleMaxMs: 200,
        retryMechanism: { intervalMs: 200, reapRetryDelayMs: 0 },
      })
      .handle(RQ_WORK, async (ctx) => {
        const client = await handlerClient(ctx);
        await client.query(`INSERT INTO ${schema}.done (event_id, attempt) VALUES ($1, $2)`, [
          ctx.message.eventId,
          ctx.message.attempt,
        ]);
        await sleep(Math.random() * 5);
      })
      .start();

    const acknowledged = new Set<string>();
    let refused = 0;
    let publishing = true;
    const publisher = (async () => {
      for (let n = 0; publishing; n++) {
        try {
          const results = await app.publishMany(
            Array.from({ length: 5 }, (_, i) => ({ type: RQ_WORK, payload: { n: n * 5 + i } })),
          );
          for (const r of results) acknowledged.add(r.eventId);
        } catch {
          refused++;
          await sleep(100);
        }
        await sleep(5);
      }
    })();

    try {
      await sleep(3000);
      const beforeFast = acknowledged.size;
      await srv.restartFast();
      await sleep(3000);
      const beforeCrash = acknowledged.size;
      srv.stopImmediate();
      await sleep(2000);
      await srv.start();
      await sleep(3000);
      publishing = false;
      await publisher;
      expect(beforeFast).toBeGreaterThan(0);
      expect(beforeCrash).toBeGreaterThan(beforeFast); // publishing resumed after the fast restart
      expect(acknowledged.size).toBeGreaterThan(beforeCrash); // ... and after the crash

      const deadline = Date.now() + 120_000;
      let open = -1;
      while (Date.now() < deadline) {
        const counts = await store.countByStatus();
        open = counts.filter((c) => c.status !== 'COMPLETED').reduce((n, c) => n + c.count, 0);
        if (open === 0) break;
        await sleep(250);
      }
      expect(open).toBe(0);
    } finally {
      publishing = false;
      await publisher;
      await service.stop();
      console.log(`restart test log lines: ${lines.map((l) => l.msg).join(' | ')}`);
    }

    const rows = await admin.query<{ event_id: string; status: string }>(
      `SELECT event_id, status FROM ${schema}.messages`,
    );
    const statusOf = new Map(rows.rows.map((r) => [r.event_id, r.status]));
    const lost = [...acknowledged].filter((id) => statusOf.get(id) !== 'COMPLETED');
    expect(lost).toEqual([]);
    // Effectively once: one business row per COMPLETED row, none for anything else.
    const done = await admin.query<{ event_id: string; n: string }>(
      `SELECT event_id, count(*) AS n FROM ${schema}.done GROUP BY event_id`,
    );
    expect(done.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(done.rows.length).toBe(rows.rows.length);
    for (const r of done.rows) expect(statusOf.get(r.event_id)).toBe('COMPLETED');

    // Two outages: a failing claim is logged at most once per outage, with a recovery line each.
    const claimFailed = lines.filter((l) => l.msg.startsWith('claim failed')).length;
    const claimRecovered = lines.filter((l) => l.msg === 'claim recovered').length;
    expect(claimFailed).toBeLessThanOrEqual(2);
    expect(claimRecovered).toBe(claimFailed);
    expect(lines.length).toBeLessThan(40);
    console.log(
      `restart test: ${acknowledged.size} acknowledged, ${rows.rows.length} rows, ${refused} publish calls refused during outages; ` +
        `log lines: ${lines.map((l) => l.msg).join(' | ')}`,
    );
    await app.close();
    await admin.end();
  });
});
