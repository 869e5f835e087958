/**
 * Where the Redis server's time goes inside the store's scripts, on a private redis-server
 * (appendonly yes, appendfsync everysec). Two parts:
 *
 * 1. The floor of Lua itself on this machine: time per EVALSHA (INFO commandstats usec, the
 *    script's own time including the commands it runs) of small scripts, each run 2,000
 *    times — an empty script, 32 redis.call('TIME'), 32 HGET of one field, 32 HMGET of the
 *    ten fields of a row, one MGET of 32 payloads of 1 KB, 32 rounds of string building.
 * 2. The claim and complete scripts per row: a backlog of `events` rows claimed `batch` at a
 *    time, then completed `batch` at a time, each phase timed the same way.
 *
 *   node --import tsx tests/support/redis-script-cost-probe.ts [events=32000] [batch=32]
 */
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { claimAll, publishBacklog } from './backlog.js';
import { createRedisServer } from './redis-server.js';

const events = Number(process.argv[2] ?? 32_000);
const batch = Number(process.argv[3] ?? 32);
const server = await createRedisServer(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']);
await server.start();
const admin = new Redis({ port: server.port });

/** Script calls since the last RESETSTAT (EVALSHA, and EVAL after a NOSCRIPT) and their microseconds. */
async function evalshaTime(): Promise<{ calls: number; usec: number }> {
  const text = await admin.info('commandstats');
  let calls = 0;
  let usec = 0;
  for (const [, c, u] of text.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+),usec=(\d+)/g)) {
    calls += Number(c);
    usec += Number(u);
  }
  return { calls, usec };
}

// Part 1: the floor.
const rowKey = (i: number): string => `{probe}:r:${i}`;
for (let i = 0; i < 32; i++) {
  await admin.hset(rowKey(i), { s: 'UNPROCESSED', n: 0, t: 'inbound', cb: 'A', ca: 1, m: 5, av: 1, ua: 1, ub: 'A' });
  await admin.set(`{probe}:p:${i}`, 'x'.repeat(1024));
}
const fields = `'s', 'n', 't', 'cb', 'ca', 'm', 'av', 'er', 'ok', 'tp'`;
const floor: Record<string, string> = {
  'empty script': `return 1`,
  "32 × redis.call('TIME')": `for i = 0, 31 do redis.call('TIME') end return 1`,
  '32 × HGET, one field': `for i = 0, 31 do redis.call('HGET', '{probe}:r:' .. i, 's') end return 1`,
  '32 × HMGET, ten fields': `for i = 0, 31 do redis.call('HMGET', '{probe}:r:' .. i, ${fields}) end return 1`,
  'MGET of 32 × 1 KB, returned': `local k = {} for i = 0, 31 do k[#k + 1] = '{probe}:p:' .. i end return redis.call('MGET', unpack(k))`,
  '32 × (match + 3 concats + table)': `local t = {} for i = 0, 31 do local x = string.match('0001|ev' .. i, '^%d+|(.*)$') t[#t + 1] = { x, x .. ':' .. i, 'a' .. x } end return #t`,
};
console.log('Lua on this server (µs per script call, 2,000 calls each):');
for (const [name, source] of Object.entries(floor)) {
  const sha = (await admin.script('LOAD', source)) as string;
  await admin.config('RESETSTAT');
  for (let i = 0; i < 2000; i++) await admin.evalsha(sha, 0);
  const { calls, usec } = await evalshaTime();
  console.log(`  ${name.padEnd(34)} ${(usec / calls).toFixed(1)}`);
}

// Part 2: claim and complete per row.
await admin.flushall();
const store = createRedisStore({ port: server.port });
await publishBacklog(store, events, { messageType: 'IN_BENCH', table: 'inbound', createdBy: 'PROBE' });
await admin.config('RESETSTAT');
const claimed = await claimAll(store, {
  table: 'inbound',
  messageTypes: ['IN_BENCH'],
  limit: batch,
  owner: 'PROBE/0',
  updatedBy: 'PROBE',
  leaseMs: 60_000,
});
const claims = await evalshaTime();
await admin.config('RESETSTAT');
let completed = 0;
for (let i = 0; i < claimed.length; i += batch) {
  const outcomes = await store.complete(
    claimed.slice(i, i + batch).map((m) => ({ ref: m, updatedBy: 'PROBE', emits: [], workingData: [] })),
  );
  completed += outcomes.filter((o) => o === 'ok').length;
}
const completes = await evalshaTime();
if (claimed.length !== events || completed !== events) {
  throw new Error(`claimed ${claimed.length}, completed ${completed}, expected ${events}`);
}
console.log(`Store scripts, ${events} rows in batches of ${batch} (µs per row):`);
console.log(`  claim     ${(claims.usec / events).toFixed(1)} (${claims.calls} calls)`);
console.log(`  complete  ${(completes.usec / events).toFixed(1)} (${completes.calls} calls)`);
await store.close();
admin.disconnect();
await server.destroy();
