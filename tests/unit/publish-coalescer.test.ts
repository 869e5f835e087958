/**
 * The stores' publish coalescer (src/stores/coalescer.ts) with a fake write: a lone
 * publish goes at once, concurrent ones share calls, each caller gets its own results, and a
 * failed shared call rejects only the caller whose input the server refused.
 */
import { describe, expect, it } from 'vitest';
import type { NewMessage, PublishResult } from '../../src/store/port.js';
import { Coalescer } from '../../src/stores/coalescer.js';

/** The fake server's refusal, as the Redis store tells it (a ReplyError cause). */
const refused = (error: unknown): boolean =>
  error instanceof Error && (error.cause as Error | undefined)?.name === 'ReplyError';

const message = (eventId: string): NewMessage => ({
  eventId,
  messageType: 'RQ_UNIT',
  table: 'request',
  payload: '{}',
  maxAttempts: 3,
  createdBy: 'SERVICE_A',
});

const created = (m: NewMessage): PublishResult => ({
  eventId: m.eventId,
  messageType: m.messageType,
  created: true,
  status: 'UNPROCESSED',
});

/**
 * A write that answers when told: every call in order (`releaseAll`), or one call by its number
 * (`answer`); it records every call's event ids.
 */
function fakeWrite(refuse?: string) {
  const calls: string[][] = [];
  const pending: (() => void)[] = [];
  const byCall: (() => void)[] = [];
  const write = (messages: readonly NewMessage[]): Promise<PublishResult[]> => {
    calls.push(messages.map((m) => m.eventId));
    return new Promise((resolve, reject) => {
      const reply = (): void => {
        if (refuse !== undefined && messages.some((m) => m.eventId === refuse)) {
          const refusal = Object.assign(new Error('ERR user_script: bad value'), { name: 'ReplyError' });
          reject(new Error('redis store: publish failed', { cause: refusal }));
        } else resolve(messages.map(created));
      };
      pending.push(reply);
      byCall.push(reply);
    });
  };
  const releaseAll = async (): Promise<void> => {
    while (pending.length > 0) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  const answer = (call: number): void => byCall[call]?.();
  return { calls, write, releaseAll, answer };
}

describe('publish coalescer', () => {
  it('sends a lone publish at once, by itself', async () => {
    const fake = fakeWrite();
    const coalescer = new Coalescer(fake.write, refused);
    const result = coalescer.add([message('a')]);
    expect(fake.calls).toEqual([['a']]);
    await fake.releaseAll();
    expect(await result).toEqual([created(message('a'))]);
  });

  it('sends concurrent publishes in shared calls, each caller getting its own results', async () => {
    const fake = fakeWrite();
    const coalescer = new Coalescer(fake.write, refused);
    const ids = Array.from({ length: 10 }, (_, i) => `e${i}`);
    const results = ids.map((id) => coalescer.add([message(id)]));
    // Two go at once; the eight that came while they were on the wire wait for one call.
    expect(fake.calls).toEqual([['e0'], ['e1']]);
    await fake.releaseAll();
    expect(fake.calls).toEqual([['e0'], ['e1'], ids.slice(2)]);
    for (const [i, result] of results.entries()) expect(await result).toEqual([created(message(ids[i] as string))]);
  });

  it('when Redis refuses a shared call, sends each caller again alone: only the faulty one rejects', async () => {
    const fake = fakeWrite('bad');
    const coalescer = new Coalescer(fake.write, refused);
    const first = [coalescer.add([message('x')]), coalescer.add([message('y')])];
    const good = coalescer.add([message('good')]);
    const bad = coalescer.add([message('bad')]);
    const settled = Promise.allSettled([...first, good, bad]);
    await fake.releaseAll();
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(fake.calls).toEqual([['x'], ['y'], ['good', 'bad'], ['good'], ['bad']]);
  });

  it('rejects every caller of a shared call that failed on the connection', async () => {
    const calls: number[] = [];
    const coalescer = new Coalescer(async (messages) => {
      calls.push(messages.length);
      await new Promise((r) => setImmediate(r));
      throw new Error('redis store: publish failed: Connection is closed.');
    }, refused);
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd'].map((id) => coalescer.add([message(id)])));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toEqual([1, 1, 2]);
  });

  it("sends the next publishes of a shared call's callers together, not the first alone", async () => {
    const { calls, write, answer } = fakeWrite();
    const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
    const coalescer = new Coalescer(write, refused);
    // A caller's next publish comes a few promise steps after its answer, as through the app
    // (its message building and validation), not in the step right after it.
    const loop = async (name: string): Promise<void> => {
      await coalescer.add([message(`${name}-1`)]);
      for (let step = 0; step < 10; step++) await Promise.resolve();
      await coalescer.add([message(`${name}-2`)]);
    };
    const singles = [coalescer.add([message('x')]), coalescer.add([message('y')])];
    const loops = [loop('c'), loop('d')];
    expect(calls).toEqual([['x'], ['y']]);
    answer(0); // x: a lone caller's call; the two waiting go together
    await settle();
    expect(calls).toEqual([['x'], ['y'], ['c-1', 'd-1']]);
    answer(2); // c-1 and d-1: both callers publish again at once, y still on the wire
    await settle(); // (the coalescer's own wait for the turn's end is queued after this one)
    await settle();
    expect(calls).toEqual([['x'], ['y'], ['c-1', 'd-1'], ['c-2', 'd-2']]);
    answer(1);
    answer(3);
    await Promise.all([...singles, ...loops]);
  });

  it("sends a lone caller's next publish at once when its call comes back", async () => {
    const { calls, write, answer } = fakeWrite();
    const coalescer = new Coalescer(write, refused);
    const loop = (async () => {
      await coalescer.add([message('a-1')]);
      await coalescer.add([message('a-2')]);
    })();
    answer(0);
    // Within the same turn: no wait for the end of the event loop's turn.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(calls).toEqual([['a-1'], ['a-2']]);
    answer(1);
    await loop;
  });
});
