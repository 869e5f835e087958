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

/** A write that answers when `release` is called, recording every call's event ids. */
function fakeWrite(refuse?: string) {
  const calls: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (messages: readonly NewMessage[]): Promise<PublishResult[]> => {
    calls.push(messages.map((m) => m.eventId));
    return new Promise((resolve, reject) => {
      pending.push(() => {
        if (refuse !== undefined && messages.some((m) => m.eventId === refuse)) {
          const reply = Object.assign(new Error('ERR user_script: bad value'), { name: 'ReplyError' });
          reject(new Error('redis store: publish failed', { cause: reply }));
        } else resolve(messages.map(created));
      });
    });
  };
  const releaseAll = async (): Promise<void> => {
    while (pending.length > 0) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { calls, write, releaseAll };
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
});
