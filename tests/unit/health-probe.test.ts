/** Liveness and readiness from Service.health(), and the Node handler that answers probes. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventyard, createHealthHandler, defineMessageType, probeHealth, silentLogger } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

type Health = ReturnType<Parameters<typeof probeHealth>[0][number]['health']>;
type ProcessorHealth = Health['processors'][number];
const fake = (h: Partial<Omit<Health, 'processors'>> & { processors?: Partial<ProcessorHealth>[] }) => ({
  health: (): Health => ({
    name: 'S',
    running: true,
    healthy: true,
    ...h,
    processors: (h.processors ?? [{}]).map((p) => ({
      table: 'request' as const,
      running: true,
      healthy: true,
      inFlight: 0,
      lastPollAt: 1_000,
      ...p,
    })),
  }),
});

describe('probeHealth', () => {
  const now = () => 1_000 + 5_000;
  it('live and ready when every processor polls and renews', () => {
    expect(probeHealth([fake({})], { now })).toMatchObject({ live: true, ready: true });
  });
  it('not ready, still live, while leases cannot be renewed (store outage)', () => {
    const r = probeHealth([fake({ healthy: false, processors: [{ healthy: false, lastPollAt: 0 }] })], {
      now,
      stalledAfterMs: 1_000,
    });
    expect([r.live, r.ready]).toEqual([true, false]);
  });
  it('not live when a processor has not polled within stalledAfterMs and holds nothing', () => {
    expect(probeHealth([fake({})], { now, stalledAfterMs: 4_999 })).toMatchObject({ live: false, ready: false });
    expect(probeHealth([fake({ processors: [{ inFlight: 2 }] })], { now, stalledAfterMs: 4_999 })).toMatchObject({
      live: true,
      ready: true,
    });
  });
  it('not live when a service is stopped', () => {
    expect(probeHealth([fake({ running: false, healthy: false })], { now })).toMatchObject({
      live: false,
      ready: false,
    });
  });
});

describe('createHealthHandler', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('answers 200/503 for a real service as it starts and stops', async () => {
    const RQ_X = defineMessageType({
      name: 'RQ_X',
      schema: { '~standard': { version: 1, vendor: 't', validate: (v: unknown) => ({ value: v }) } },
    });
    const app = createEventyard({
      store: createSqliteStore({ path: ':memory:' }),
      messageTypes: [RQ_X],
      logger: silentLogger,
    });
    const service = app
      .service({ name: 'SERVICE_X', idleMinMs: 10, idleMaxMs: 50 })
      .handle(RQ_X, async () => undefined);
    server = createServer(createHealthHandler([service]));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz/live`)).status).toBe(503);
    service.start();
    for (let i = 0; i < 100 && (await fetch(`${base}/healthz/ready`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 20));
    const ready = await fetch(`${base}/healthz/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { services: { name: string }[] }).services.map((s) => s.name)).toEqual([
      'SERVICE_X',
    ]);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    await app.close();
    expect((await fetch(`${base}/healthz/live`)).status).toBe(503);
  });
});
