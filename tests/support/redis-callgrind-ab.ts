/**
 * A/B of the Redis store's scripts between two builds of Eventyard, counted in instructions:
 * one private redis-server (no persistence) runs under `valgrind --tool=callgrind`, and each
 * phase's instructions are the server's whole work between two dumps (the scripts, the
 * commands they call, parsing requests and writing replies). Wall-clock timings on this
 * machine move by ±10–30 % between runs; these counts move by about 2 %, so a change of a few
 * percent reads in one round. Phases, per build and round, on a fresh key prefix:
 *
 * - `single`: 500 publishes of one 1 KB message each (W1 one at a time), per message;
 * - `batch`: 20 publishes of 100 such messages (W1 in batches), per message;
 * - `claim`: the batch messages claimed 64 at a time, per row;
 * - `complete`: those rows completed 64 at a time, no emits, per row;
 * - `cycle`: as many rows again, claimed 64 and completed at once, in turn (a processor that
 *   keeps up: at most one batch in flight), per row, the payloads' MGET included;
 * - `flow`: as many rows again, each batch of 64 published, claimed and completed before the
 *   next (a queue that stays short, as between the stages of a pipeline), per row;
 * - `stage`: as `flow`, each row completed with what a pipeline stage writes (W5): one
 *   follow-up message of its event and one working-data value, per row (the emitted rows
 *   stay UNPROCESSED). Not counted for the packed prototype, which has no emits.
 *
 *   node --import tsx tests/support/redis-callgrind-ab.ts /tmp/base . [rounds=2]
 *   node --import tsx tests/support/redis-callgrind-ab.ts costs
 *
 * The second form prints what single operations cost inside a script (the table in
 * docs/redis.md, "Counted in instructions"): each line is an EVAL loop of 2,000 iterations
 * less an empty loop, per iteration; the client-side lines are per call.
 *
 * Each directory needs its own `dist` (npm run build; bench/build-baseline.sh builds one for
 * an earlier commit into .cache/baseline). In place of a directory, `packed` names the
 * packed-layout prototype (redis-packed-prototype.ts). Needs valgrind (Debian: apt-get
 * install valgrind).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { LeaseRef, NewMessage } from '../../src/store/port.js';
import { claimAll } from './backlog.js';
import { createPackedPrototype, type PrototypeStore } from './redis-packed-prototype.js';
import { freePort } from './free-port.js';

/** What the phases call: a store build's, or the packed prototype's. */
type CreateStore = (options: { port: number; keyPrefix: string }) => PrototypeStore;
const PHASES = ['single', 'batch', 'claim', 'complete', 'cycle', 'flow', 'stage'] as const;
type Figures = Record<(typeof PHASES)[number], number>;

const [dirA, dirB, roundsArg = '2'] = process.argv.slice(2);
const costsOnly = dirA === 'costs';
if (dirA === undefined || (dirB === undefined && !costsOnly)) {
  console.error('usage: redis-callgrind-ab.ts <checkout A | packed> <checkout B | packed> [rounds] | costs');
  process.exit(2);
}
const rounds = Number(roundsArg);
const SINGLES = 500;
const BATCHES = 20;
const BATCH = 100;
const CLAIM = 64;

async function load(dir: string): Promise<CreateStore> {
  if (dir === 'packed') return createPackedPrototype;
  const url = pathToFileURL(join(resolve(dir), 'dist', 'stores', 'redis', 'index.js')).href;
  return ((await import(url)) as { createRedisStore: CreateStore }).createRedisStore;
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'eventyard-callgrind-'));
const server = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
    'redis-server',
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ],
  { stdio: 'ignore' },
);
const admin = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0 });
admin.on('error', () => undefined);
for (let i = 0; ; i++) {
  try {
    await admin.connect();
    await admin.ping();
    break;
  } catch {
    admin.disconnect();
    if (i === 200) throw new Error('redis-server under valgrind did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Instructions the server ran since the previous call (callgrind_control dumps and zeroes). */
function instructions(): number {
  for (const f of readdirSync(dir)) if (f.startsWith('callgrind.out')) rmSync(join(dir, f));
  execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
  let total = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith('callgrind.out')) continue;
    const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) total += Number(m[1]);
  }
  return total;
}

const body = randomBytes(750).toString('base64');
const message = (seq: number): NewMessage => ({
  eventId: randomUUID(),
  messageType: 'RQ_X',
  table: 'request',
  payload: JSON.stringify({ seq, sentAt: 0, data: body }),
  createdBy: 'svc-a',
  maxAttempts: 3,
});

const CLAIM_REQUEST = {
  table: 'request',
  messageTypes: ['RQ_X'],
  limit: CLAIM,
  owner: 'o',
  updatedBy: 'svc-b',
  leaseMs: 600_000,
} as const;

/** Completes `refs` (no emits), each of which must still hold its lease. */
async function completeAll(store: PrototypeStore, refs: readonly LeaseRef[], label: string): Promise<void> {
  const outcomes = await store.complete(refs.map((ref) => ({ ref, updatedBy: 'svc-b', emits: [], workingData: [] })));
  if (!outcomes.every((o) => o === 'ok')) throw new Error(`${label}: a completion lost its lease`);
}

/** Completes `refs`, each with a follow-up message of its event and a working-data value. */
async function completeAsStage(store: PrototypeStore, refs: readonly LeaseRef[], label: string): Promise<void> {
  const outcomes = await store.complete(
    refs.map((ref) => ({
      ref,
      updatedBy: 'svc-b',
      emits: [{ eventId: ref.eventId, messageType: 'RQ_Y', table: 'request', createdBy: 'svc-b', maxAttempts: 3 }],
      workingData: [{ eventId: ref.eventId, name: 'b.fee', value: '1.25' }],
    })),
  );
  if (!outcomes.every((o) => o === 'ok')) throw new Error(`${label}: a stage completion lost its lease`);
}

async function once(createStore: CreateStore, label: string, packed: boolean): Promise<Figures> {
  const store = createStore({ port, keyPrefix: `cg${label}` });
  await store.publish([message(-1)]); // connects and loads the scripts before counting
  instructions();
  for (let i = 0; i < SINGLES; i++) await store.publish([message(i)]);
  const single = instructions() / SINGLES;
  for (let b = 0; b < BATCHES; b++)
    await store.publish(Array.from({ length: BATCH }, (_, i) => message(b * BATCH + i)));
  const batch = instructions() / (BATCHES * BATCH);
  // Claim every row published (the ready index holds the singles and the batches).
  const rows = SINGLES + 1 + BATCHES * BATCH;
  const claimed = await claimAll(store, CLAIM_REQUEST);
  const claim = instructions() / claimed.length;
  if (claimed.length !== rows) throw new Error(`${label}: claimed ${claimed.length} of ${rows}`);
  for (let i = 0; i < claimed.length; i += CLAIM) await completeAll(store, claimed.slice(i, i + CLAIM), label);
  const complete = instructions() / claimed.length;
  for (let b = 0; b < BATCHES; b++)
    await store.publish(Array.from({ length: BATCH }, (_, i) => message(rows + b * BATCH + i)));
  instructions();
  let cycled = 0;
  for (;;) {
    const batch = await store.claim(CLAIM_REQUEST);
    if (batch.length === 0) break;
    await completeAll(store, batch, label);
    cycled += batch.length;
  }
  const cycle = instructions() / cycled;
  if (cycled !== BATCHES * BATCH) throw new Error(`${label}: cycled ${cycled} of ${BATCHES * BATCH}`);
  instructions();
  const flows = Math.floor((BATCHES * BATCH) / CLAIM);
  for (let b = 0; b < flows; b++) {
    const at = rows + BATCHES * BATCH + b * CLAIM;
    await store.publish(Array.from({ length: CLAIM }, (_, i) => message(at + i)));
    const batch = await store.claim(CLAIM_REQUEST);
    if (batch.length !== CLAIM) throw new Error(`${label}: a flow claim took ${batch.length} of ${CLAIM}`);
    await completeAll(store, batch, label);
  }
  const flow = instructions() / (flows * CLAIM);
  let stage = Number.NaN;
  if (!packed) {
    for (let b = 0; b < flows; b++) {
      const at = rows + 2 * BATCHES * BATCH + b * CLAIM;
      await store.publish(Array.from({ length: CLAIM }, (_, i) => message(at + i)));
      const batch = await store.claim(CLAIM_REQUEST);
      if (batch.length !== CLAIM) throw new Error(`${label}: a stage claim took ${batch.length} of ${CLAIM}`);
      await completeAsStage(store, batch, label);
    }
    stage = instructions() / (flows * CLAIM);
  }
  await store.close();
  return { single, batch, claim, complete, cycle, flow, stage };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] as number;
};

/** Instructions per iteration of `body` inside a script, less an empty loop's (both after `setup`). */
async function inScript(body: string, setup = ''): Promise<number> {
  const loop = async (text: string): Promise<number> => {
    instructions();
    await admin.eval(`${setup} for i = 1, 2000 do ${text} end return 1`, 0);
    return instructions();
  };
  return ((await loop(body)) - (await loop('local x = i'))) / 2000;
}

/** Instructions per call of `call` from this client. */
async function perCall(call: () => Promise<unknown>): Promise<number> {
  instructions();
  for (let i = 0; i < 500; i++) await call();
  return instructions() / 500;
}

async function costs(): Promise<void> {
  const payload = JSON.stringify({ seq: 1, sentAt: 0, data: body });
  const row = ['t', 'request', 's', 'UNPROCESSED', 'cb', 'A', 'ub', 'A', 'ca', '1700000000000'];
  await admin.hset('h', ...row, 'ua', '1700000000000', 'n', '0', 'm', '3', 'av', '1700000000000');
  const empty = (await admin.script('LOAD', 'return 1')) as string;
  const publishArgs = ['{ey:0}:n', 'wake', '', 1, 'f', '{ey:0}', randomUUID(), 'RQ_X', 'request', '1', payload];
  const lines: [string, number][] = [
    ['PING from a client', await perCall(() => admin.ping())],
    ['SET of 1 KB from a client', await perCall(() => admin.set('k', payload))],
    ['EVALSHA of an empty script, no arguments', await perCall(() => admin.evalsha(empty, 0))],
    ['... one key, ten short arguments', await perCall(() => admin.evalsha(empty, 1, 'k', ...'abcdefghij'))],
    ['... one key, one 1 KB argument', await perCall(() => admin.evalsha(empty, 1, 'k', payload))],
    [
      '... the 20 arguments of one publish (1 KB)',
      await perCall(() => admin.evalsha(empty, 1, ...publishArgs, 3, 0, '', '', 'svc-a', '', '', '', 0, 0)),
    ],
    ["redis.call('TIME')", await inScript("local r = redis.call('TIME')")],
    ["redis.call('HGET', key, field)", await inScript("local r = redis.call('HGET', 'h', 's')")],
    ['HMGET of 1 field', await inScript("local r = redis.call('HMGET', 'h', 's')")],
    ['HMGET of 5 fields', await inScript("local r = redis.call('HMGET', 'h', 's', 'n', 'cb', 'ca', 'm')")],
    [
      'HMGET of 10 fields',
      await inScript("local r = redis.call('HMGET', 'h', 's', 'n', 'cb', 'ca', 'm', 'av', 'er', 'ok', 'tp', 'pr')"),
    ],
    ['HGETALL of a nine-field row hash', await inScript("local r = redis.call('HGETALL', 'h')")],
    [
      'HSET of seven fields',
      await inScript(
        "redis.call('HSET', 'h', 's', 'IN_PROGRESS', 'ub', 'B', 'ua', '1700000000001', 'n', '1', 'lo', 'o-1', 'le', '1700000060000', 'ct', '0.1234')",
      ),
    ],
    ['tonumber of a 13-digit text', await inScript("local z = tonumber('1700000000000')")],
    ['a number turned into text (concatenated)', await inScript("local z = 'ab' .. i")],
    [
      'a 4-part concatenation of texts, a new string',
      await inScript(
        "local k = '{ey:0}' .. ':r:' .. 'RQ_X:' .. ids[i]",
        "local ids = {} for j = 1, 2000 do ids[j] = '0190a1b2-c3d4-' .. j end",
      ),
    ],
    ['string.sub', await inScript("local e = string.sub('0001700000000000000001|0190a1b2-c3d4-7e5f', 24)")],
    ['a 4-entry table', await inScript("local t = {i, 'a', 'b', 'c'}")],
  ];
  console.log('redis server instructions (callgrind)');
  for (const [what, n] of lines) console.log(`${what.padEnd(48)} ${Math.round(n).toLocaleString('en')}`);
}

async function ab(): Promise<void> {
  const [createA, createB] = [await load(dirA as string), await load(dirB as string)];
  const results: { a: Figures; b: Figures }[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const [packedA, packedB] = [dirA === 'packed', dirB === 'packed'];
    const x = await once(first ? createA : createB, `${round}${first ? 'a' : 'b'}`, first ? packedA : packedB);
    const y = await once(first ? createB : createA, `${round}${first ? 'b' : 'a'}`, first ? packedB : packedA);
    results.push(first ? { a: x, b: y } : { a: y, b: x });
  }
  console.log(`redis server instructions (callgrind), ${rounds} rounds, medians: per message or row`);
  for (const key of PHASES) {
    const a = median(results.map((r) => r.a[key]));
    const b = median(results.map((r) => r.b[key]));
    console.log(
      `${key.padEnd(9)} A ${Math.round(a).toLocaleString('en')}  B ${Math.round(b).toLocaleString('en')}  B/A ${(b / a).toFixed(3)}`,
    );
  }
}

try {
  await (costsOnly ? costs() : ab());
} finally {
  admin.disconnect();
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
