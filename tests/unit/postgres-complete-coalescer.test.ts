/**
 * The PostgreSQL store's completion coalescing (src/stores/coalescer.ts):
 * a lone batch goes at once, batches that come while two statements are on the wire share
 * the next one, each batch gets its own outcomes, and a statement the server refused is
 * sent again batch by batch.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/stores/coalescer.js';
import type { CompleteRequest, LeaseOutcome } from '../../src/store/port.js';

const request = (eventId: string): CompleteRequest => ({
  ref: { table: 'request', eventId, messageType: 'RQ_X', claimToken: `t.${eventId}` },
  updatedBy: 'T',
  emits: [],
  workingData: [],
});

/** A statement stub: records each call's event ids; `lost` ids come back lease_lost. */
function stub(lost: ReadonlySet<string> = new Set()) {
  const calls: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (requests: readonly CompleteRequest[]): Promise<LeaseOutcome[]> => {
    calls.push(requests.map((r) => r.ref.eventId));
    return new Promise((resolve) =>
      pending.push(() => resolve(requests.map((r) => (lost.has(r.ref.eventId) ? 'lease_lost' : 'ok')))),
    );
  };
  const answer = async (): Promise<void> => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { calls, write, answer };
}

describe('postgres: completion batches share a statement', () => {
  it('a lone batch goes at once; batches behind two in flight go together, each with its own outcomes', async () => {
    const s = stub(new Set(['c2']));
    const coalescer = new Coalescer<CompleteRequest, LeaseOutcome>(s.write, () => false);
    const a = coalescer.add([request('a1'), request('a2')]);
    const b = coalescer.add([request('b1')]);
    expect(s.calls).toEqual([['a1', 'a2'], ['b1']]);
    const c = coalescer.add([request('c1'), request('c2')]);
    const d = coalescer.add([request('d1')]);
    expect(s.calls).toHaveLength(2); // c and d wait for a statement to come back
    await s.answer();
    expect(s.calls[2]).toEqual(['c1', 'c2', 'd1']);
    await s.answer();
    await s.answer();
    expect(await a).toEqual(['ok', 'ok']);
    expect(await b).toEqual(['ok']);
    expect(await c).toEqual(['ok', 'lease_lost']);
    expect(await d).toEqual(['ok']);
  });

  it('a shared statement the server refused is sent again batch by batch; only the faulty batch rejects', async () => {
    const calls: string[][] = [];
    const refused = new Error('refused');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const write = async (requests: readonly CompleteRequest[]): Promise<LeaseOutcome[]> => {
      const ids = requests.map((r) => r.ref.eventId);
      calls.push(ids);
      if (ids[0] === 'slow1' || ids[0] === 'slow2') await gate;
      if (ids.includes('bad')) throw refused;
      return requests.map(() => 'ok');
    };
    const coalescer = new Coalescer<CompleteRequest, LeaseOutcome>(write, (error) => error === refused);
    const slow = [coalescer.add([request('slow1')]), coalescer.add([request('slow2')])];
    const good = coalescer.add([request('good')]);
    const bad = coalescer.add([request('bad')]);
    release();
    await Promise.all(slow);
    expect(await good).toEqual(['ok']);
    await expect(bad).rejects.toBe(refused);
    expect(calls).toEqual([['slow1'], ['slow2'], ['good', 'bad'], ['good'], ['bad']]);
  });

  it('a connection failure rejects every batch of the statement, without sending again', async () => {
    const down = new Error('connection terminated');
    const calls: number[] = [];
    let fail: (e: unknown) => void = () => undefined;
    const coalescer = new Coalescer<CompleteRequest, LeaseOutcome>(
      (requests) => {
        calls.push(requests.length);
        return new Promise((_, reject) => (fail = reject));
      },
      () => false,
    );
    const first = coalescer.add([request('a')]);
    const firstFail = fail;
    const second = coalescer.add([request('b')]);
    const secondFail = fail;
    const third = [coalescer.add([request('c')]), coalescer.add([request('d')])];
    firstFail(down);
    await expect(first).rejects.toBe(down);
    await new Promise((r) => setImmediate(r));
    fail(down);
    await Promise.all(third.map((p) => expect(p).rejects.toBe(down)));
    secondFail(down);
    await expect(second).rejects.toBe(down);
    expect(calls).toEqual([1, 1, 2]);
  });
});
