/**
 * No loss across a SIGKILL of the inbound process, on each real broker: an upstream
 * producer publishes N orders; the inbound process is killed with SIGKILL while it is
 * consuming and started again; at the end every order is in the inbound table exactly
 * once. What the broker redelivers (the killed process's unacknowledged batch) is absorbed
 * by the unique (EVENT_ID, MESSAGE_TYPE) and counted: the restarted process writes exactly
 * the rows that were missing, and every other delivery it received is a duplicate.
 * Every third order has no event id header, so derived EVENT_IDs are redelivered too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Header, type Broker, type EventStore, type InboundStats } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { BROKER_KINDS, createBroker } from '../../examples/brokers/brokers.js';
import { upstreamOrders } from '../../examples/brokers/topology.js';
import startKafka from '../support/kafka-global-setup.js';
import { allRows, waitUntil } from '../support/rows.js';

beforeAll(() => startKafka(), 600_000);

const ORDERS = 2000;
const INBOUND = fileURLToPath(new URL('../../examples/brokers/inbound-process.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  last: (InboundStats & { pid: number }) | undefined;
  /** Set when the process announced it holds a written batch it has not acked yet. */
  inAckWait: boolean;
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

function startInbound(args: string[]): Child {
  const child = fork(INBOUND, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const state: Child = {
    process: child,
    last: undefined,
    inAckWait: false,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code))),
  };
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '{"phase":"ack-wait"}') state.inAckWait = true;
      else if (line.startsWith('{')) state.last = JSON.parse(line) as Child['last'];
    }
  });
  return state;
}

describe.each(BROKER_KINDS)('inbound process SIGKILL through %s', (kind) => {
  let dir: string;
  let broker: Broker;
  let store: EventStore;
  const children: Child[] = [];

  afterEach(async () => {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    children.length = 0;
    await broker.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every upstream order lands in the inbound table exactly once; redeliveries are counted duplicates', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ey-crash-'));
    const db = join(dir, 'a.db');
    store = createSqliteStore({ path: db });
    broker = createBroker(kind);
    const topic = `ey-crash-${randomUUID().slice(0, 8)}`;
    const group = `${topic}-a`;
    await broker.declare({ topic, groups: [group] });
    const producer = await broker.producer();
    for (let from = 0; from < ORDERS; from += 200) {
      const batch = upstreamOrders(from, 200).map((m, i) => {
        if ((from + i) % 3 !== 0) return m;
        const { [Header.EVENT_ID]: _none, ...headers } = m.headers ?? {};
        return { ...m, headers };
      });
      await producer.publish(topic, batch);
    }
    await producer.close();

    const args = ['--broker', kind, '--db', db, '--topic', topic, '--group', group, '--batch', '25'];
    // The first process holds each ack back 300 ms, and is killed inside that window: its
    // last batch is written but not acknowledged, so the broker must deliver it again.
    const first = startInbound([...args, '--ack-delay-ms', '300']);
    children.push(first);
    const count = async (): Promise<number> =>
      (await store.countByStatus({ messageType: 'IN_ORDER' })).reduce((n, c) => n + c.count, 0);
    await waitUntil('the first process has written some orders', async () => (await count()) >= 300, 60_000);
    first.inAckWait = false;
    await waitUntil('the first process holds a written, unacked batch', async () => first.inAckWait, 10_000);
    first.process.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const before = await count();
    expect(before).toBeLessThan(ORDERS); // killed while consuming

    const second = startInbound(args);
    children.push(second);
    // Done when every order is stored and the killed process's written batch came again
    // (NATS redelivers it only after ack_wait, 5 s in the example's broker settings).
    await waitUntil(
      'every order is stored and the unacked batch was redelivered',
      async () => (await count()) >= ORDERS && (second.last?.duplicates ?? 0) >= 25,
      120_000,
    );
    // Let the second process finish the batch in hand, then stop it and read its final stats.
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const stats = second.last as NonNullable<Child['last']>;

    const rows = await allRows(store, { messageType: 'IN_ORDER' });
    expect(rows).toHaveLength(ORDERS);
    const orderIds = new Map<string, number>();
    for (const row of rows) {
      const payload = JSON.parse((await store.getPayload(row.eventId)) ?? '{}') as { orderId?: string };
      orderIds.set(payload.orderId ?? '?', (orderIds.get(payload.orderId ?? '?') ?? 0) + 1);
    }
    expect(orderIds.size).toBe(ORDERS);
    expect([...orderIds.values()].every((n) => n === 1)).toBe(true);
    // Exact accounting of the restarted process: it wrote what was missing; everything
    // else it received was a redelivery the unique key absorbed.
    expect(stats.rejected).toBe(0);
    expect(stats.created).toBe(ORDERS - before);
    expect(stats.created + stats.duplicates).toBe(stats.received);
    expect(stats.acked).toBe(stats.received);
    // The batch written before the kill came again: at least one whole batch of duplicates.
    expect(stats.duplicates).toBeGreaterThanOrEqual(25);
    console.log(
      `${kind}: killed after ${before} rows; restarted process received ${stats.received}, ` +
        `wrote ${stats.created}, absorbed ${stats.duplicates} redelivered duplicates ` +
        `(broker-flagged redeliveries: ${stats.redelivered})`,
    );
  });
});
