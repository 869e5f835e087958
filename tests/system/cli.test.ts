/**
 * The `eventyard` command as users run it: spawned processes against a SQLite file (and a
 * Redis prefix), exit codes, --json output parsed and checked exactly, errors without stacks.
 * The `keys` commands: cli-keys.test.ts.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { seedOpsFixture, type OpsFixture } from '../support/ops-fixture.js';
import { deletePrefix, SINGLE_REDIS } from '../support/redis-keys.js';
import { CLI, cli, json, noStack, type Run } from '../support/cli-run.js';

const COUNTS = { completed: 5, failed: 3, timeouts: 2, waiting: 4 };
const FAILED = COUNTS.failed + COUNTS.timeouts + 1;

let dir: string;
let url: string;
let store: EventStore;
let fixture: OpsFixture;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ey-cli-'));
  url = `sqlite:${join(dir, 'app.db')}`;
  store = createSqliteStore({ path: join(dir, 'app.db') });
  fixture = await seedOpsFixture(store, COUNTS);
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eventyard CLI (spawned)', () => {
  it('status: exact counts per table, type and status; the oldest waiting row per type', async () => {
    const out = json(await cli(['status', '--url', url, '--json']));
    const all = 2 + COUNTS.completed + COUNTS.failed + COUNTS.timeouts;
    expect(out.totals).toEqual({
      UNPROCESSED: COUNTS.waiting,
      IN_PROGRESS: 0,
      COMPLETED: all + COUNTS.completed,
      ERROR: 1,
      RETRY: 0,
      FAILED,
    });
    const types = out.types as {
      table: string;
      messageType: string;
      counts: unknown;
      total: number;
      oldestWaitingAgeMs: number | null;
    }[];
    expect(types.map((t) => [t.table, t.messageType, t.total])).toEqual([
      ['inbound', 'IN_ORDER', all + COUNTS.waiting],
      ['request', 'RQ_B_STP', all],
    ]);
    expect(types.every((t) => typeof t.oldestWaitingAgeMs === 'number' && t.oldestWaitingAgeMs >= 0)).toBe(true);
    const human = await cli(['status'], { EVENTYARD_URL: url });
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^TABLE\s+MESSAGE_TYPE\s+UNPROCESSED\s+IN_PROGRESS\s+COMPLETED\s+ERROR\s+RETRY\s+FAILED\s+OLDEST_WAITING$/,
    );
    expect(lines[2]?.split(/\s+/).slice(0, 8)).toEqual([
      'request',
      'RQ_B_STP',
      '0',
      '0',
      String(all - FAILED - 1),
      '1',
      '0',
      String(FAILED),
    ]);
  });

  it('ls: filters and pages; --json rows are exact', async () => {
    const failed = json(await cli(['ls', '--url', url, '--json', '--status', 'FAILED', '--type', 'RQ_B_STP']));
    expect((failed.rows as { status: string }[]).map((r) => r.status)).toEqual(Array(FAILED).fill('FAILED'));
    expect(failed.next).toBeNull();
    const declined = json(await cli(['ls', '--url', url, '--json', '--error', 'card declined']));
    const rows = declined.rows as Record<string, unknown>[];
    expect(rows.map((r) => r.eventId).sort()).toEqual([...fixture.failedEventIds].sort());
    const first = rows[0] as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual([
      'attempts',
      'availableAt',
      'createdAt',
      'createdBy',
      'eventId',
      'groupKey',
      'lastError',
      'leaseExpiresAt',
      'leaseOwner',
      'maxAttempts',
      'messageType',
      'orderingKey',
      'priority',
      'status',
      'table',
      'traceparent',
      'updatedAt',
      'updatedBy',
    ]);
    expect([first.messageType, first.status, first.attempts, first.createdBy, first.updatedBy]).toEqual([
      'RQ_B_STP',
      'FAILED',
      1,
      'SERVICE_A',
      'SERVICE_B',
    ]);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = json(
        await cli([
          'ls',
          '--url',
          url,
          '--json',
          '--type',
          'IN_ORDER',
          '--status',
          'UNPROCESSED',
          '--limit',
          '3',
          ...(after === null ? [] : ['--after', after]),
        ]),
      );
      seen.push(...(page.rows as { eventId: string }[]).map((r) => r.eventId));
      after = page.next as string | null;
    } while (after !== null);
    expect(seen).toEqual(fixture.waitingEventIds);
    expect(
      json(await cli(['ls', '--url', url, '--json', '--since', new Date(Date.now() + 60_000).toISOString()])).rows,
    ).toEqual([]);
  });

  it('show: the event story in order; an unknown event exits 3 without a stack', async () => {
    const id = fixture.failedEventIds[1] as string;
    const out = json(await cli(['show', id, '--url', url, '--json']));
    expect(
      (out.rows as { messageType: string; status: string; createdBy: string }[]).map((r) => [
        r.messageType,
        r.status,
        r.createdBy,
      ]),
    ).toEqual([
      ['IN_ORDER', 'COMPLETED', 'UPSTREAM'],
      ['RQ_B_STP', 'FAILED', 'SERVICE_A'],
    ]);
    expect(out.payload).toEqual({ orderId: `o-${COUNTS.completed + 1}`, amount: 10 + COUNTS.completed + 1 });
    expect(out.workingData).toEqual({ 'a.checked': true });
    const human = await cli(['show', id, '--url', url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`EVENT ${id}`);
    expect(human.stdout).toContain(`card declined for order ${COUNTS.completed + 1}`);
    const missing = await cli(['show', randomUUID(), '--url', url]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^eventyard: no event /);
    noStack(missing);
  });

  it('usage errors exit 2: no URL, unknown scheme, bad status, unfiltered redrive or purge', async () => {
    const cases = [
      ['status'],
      ['status', '--url', 'mysql://x'],
      ['ls', '--url', url, '--status', 'BOGUS'],
      ['redrive', '--url', url],
      ['purge', '--url', url],
      ['nope'],
    ];
    const runs = await Promise.all(cases.map((args) => cli(args)));
    for (const [i, args] of cases.entries()) {
      const r = runs[i] as Run;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      noStack(r);
    }
    expect((runs[3] as Run).stderr).toContain('--all');
    const commands = ['status', 'ls', 'show', 'redrive', 'purge', 'tail', 'console'];
    const helps = await Promise.all(commands.map((cmd) => cli([cmd, '--help'])));
    for (const [i, cmd] of commands.entries()) {
      const help = helps[i] as Run;
      expect(help.code, cmd).toBe(0);
      expect(help.stdout).toContain(`Usage: eventyard ${cmd}`);
    }
  });

  it('a store that cannot be opened exits 1 without a stack', async () => {
    const r = await cli(['status', '--url', `sqlite:${join(dir, 'no-such-dir', 'x.db')}`]);
    expect(r.code).toBe(1);
    noStack(r);
  });

  it('redrive: dry run counts; more than one row needs --yes (no terminal: exit 4, nothing changed)', async () => {
    expect(json(await cli(['redrive', '--url', url, '--json', '--error', 'card declined', '--dry-run']))).toEqual({
      dryRun: true,
      matched: COUNTS.failed,
      truncated: false,
    });
    const refused = await cli(['redrive', '--url', url, '--error', 'card declined']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('--yes');
    expect((await store.countByStatus({ statuses: ['RETRY'] })).length).toBe(0);
    expect(json(await cli(['redrive', '--url', url, '--json', '--error', 'card declined', '--yes']))).toEqual({
      dryRun: false,
      redriven: COUNTS.failed,
    });
    const retry = json(await cli(['ls', '--url', url, '--json', '--status', 'RETRY']));
    expect(
      (retry.rows as { eventId: string; updatedBy: string; attempts: number }[])
        .map((r) => [r.eventId, r.updatedBy, r.attempts])
        .sort(),
    ).toEqual([...fixture.failedEventIds].sort().map((id) => [id, 'OPERATOR', 0]));
    // one row needs no confirmation
    expect(json(await cli(['redrive', '--url', url, '--json', '--event', fixture.errorEventId]))).toEqual({
      dryRun: false,
      redriven: 1,
    });
  });

  it('purge: --older-than spares new rows; --all --yes deletes every COMPLETED row', async () => {
    expect(json(await cli(['purge', '--url', url, '--json', '--older-than', '1d', '--yes']))).toEqual({
      dryRun: false,
      deleted: 0,
    });
    const completed = (await store.countByStatus({ statuses: ['COMPLETED'] })).reduce((n, c) => n + c.count, 0);
    expect(completed).toBeGreaterThan(1);
    expect(json(await cli(['purge', '--url', url, '--json', '--status', 'COMPLETED', '--all', '--dry-run']))).toEqual({
      dryRun: true,
      matched: completed,
      truncated: false,
    });
    expect((await cli(['purge', '--url', url, '--status', 'COMPLETED', '--all'])).code).toBe(4);
    expect(json(await cli(['purge', '--url', url, '--json', '--status', 'COMPLETED', '--all', '--yes']))).toEqual({
      dryRun: false,
      deleted: completed,
    });
    expect(await store.countByStatus({ statuses: ['COMPLETED'] })).toEqual([]);
  });

  it('tail --event follows one event live', async () => {
    const id = fixture.timeoutEventIds[0] as string;
    const child = spawn(
      process.execPath,
      [CLI, 'tail', '--url', url, '--event', id, '--json', '--interval', '200ms', '--for', '20s'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    // The purge above deleted the COMPLETED IN_ORDER row: RQ_B_STP is left.
    await until(() => lines.length >= 1);
    expect(lines.map((l) => [l.messageType, l.status])).toEqual([['RQ_B_STP', 'FAILED']]);
    expect(await store.redrive({ eventId: id, messageType: 'RQ_B_STP' }, 'TAIL_TEST')).toBe(1);
    await until(() => lines.length >= 2);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(lines.map((l) => [l.messageType, l.status, l.updatedBy])).toEqual([
      ['RQ_B_STP', 'FAILED', 'SERVICE_B'],
      ['RQ_B_STP', 'RETRY', 'TAIL_TEST'],
    ]);
    expect(code).toBe(0);
  });

  it('console: serves the API; refuses a non-loopback address without credentials', async () => {
    const refused = await cli(['console', '--url', url, '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('without authentication');
    const child = spawn(process.execPath, [CLI, 'console', '--url', url, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 300 && !/on (http:\S+)/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
    const base = /on (http:\S+)/.exec(err)?.[1] as string;
    const status = (await (await fetch(`${base}api/status`)).json()) as { totals: Record<string, number> };
    // the timeouts less the one the tail test re-drove, plus the XSS row
    expect(status.totals.FAILED).toBe(COUNTS.timeouts - 1 + 1);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  });

  it('redis:// URLs open the Redis store (with a key prefix)', async () => {
    const { createRedisStore } = await import('../../src/stores/redis/index.js');
    const prefix = `ey-cli-${randomUUID().slice(0, 8)}`;
    const redis = createRedisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix });
    try {
      await seedOpsFixture(redis, { completed: 2, failed: 1, timeouts: 0, waiting: 1 });
      const out = json(await cli(['status', '--url', `redis://127.0.0.1:6379?prefix=${prefix}`, '--json']));
      expect(out.totals).toEqual({
        UNPROCESSED: 1,
        IN_PROGRESS: 0,
        COMPLETED: 2 * 2 + 1 + 2,
        ERROR: 1,
        RETRY: 0,
        FAILED: 2,
      });
    } finally {
      await redis.close();
      const client = new Redis(SINGLE_REDIS);
      await deletePrefix(client, prefix);
      client.disconnect();
    }
  });
});
