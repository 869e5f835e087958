import { describe, expect, it } from 'vitest';
import { createUuidV7Generator, type Clock } from '../../src/core/clock.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function manualClock(start: number): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms) };
}

const msOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('UUIDv7 event ids', () => {
  it('carry the version and variant bits and the clock millisecond', () => {
    const clock = manualClock(Date.UTC(2026, 10, 28, 9, 0, 0, 123));
    const ids = createUuidV7Generator(clock);
    for (let i = 0; i < 1000; i++) {
      const id = ids.next();
      expect(id).toMatch(V7);
      expect(msOf(id)).toBe(clock.now());
    }
  });

  it('increase strictly within one millisecond, across counter overflow and when the clock steps back', () => {
    const clock = manualClock(1_700_000_000_000);
    const ids = createUuidV7Generator(clock);
    const seen: string[] = [];
    for (let i = 0; i < 10_000; i++) seen.push(ids.next()); // > 4096: the counter overflows
    clock.set(1_600_000_000_000); // the wall clock steps back
    for (let i = 0; i < 100; i++) seen.push(ids.next());
    clock.set(1_800_000_000_000);
    for (let i = 0; i < 100; i++) seen.push(ids.next());
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(msOf(seen.at(-1)!)).toBe(1_800_000_000_000);
  });

  it('differ between generators in the same millisecond (random tail)', () => {
    const clock = manualClock(1_700_000_000_000);
    const a = createUuidV7Generator(clock);
    const b = createUuidV7Generator(clock);
    const fromA = new Set(Array.from({ length: 500 }, () => a.next()));
    for (let i = 0; i < 500; i++) expect(fromA.has(b.next())).toBe(false);
  });
});
