import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, parseJson } from '../../src/core/payload.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../support/error-code.js';

const limits = { maxBytes: 1000, maxDepth: 4 };
describe('payload codec', () => {
  it('round trips JSON values', () => {
    const value = { a: [1, 'é', { b: null }], s: 'quote " and \\ backslash' };
    expect(decodePayload(encodePayload(value, limits), limits)).toEqual(value);
  });
  it('refuses oversized payloads before parsing, counting UTF-8 bytes', () => {
    expect(codeOf(() => encodePayload('x'.repeat(1000), limits))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(codeOf(() => encodePayload('é'.repeat(500), limits))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(codeOf(() => encodePayload('é'.repeat(499), limits))).toBeUndefined();
    expect(codeOf(() => decodePayload(`"${'x'.repeat(2000)}`, limits))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
  });
  it('refuses nesting deeper than the limit, ignoring brackets inside strings', () => {
    expect(codeOf(() => decodePayload('[[[[1]]]]', limits))).toBeUndefined();
    expect(codeOf(() => decodePayload('[[[[[1]]]]]', limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
    expect(codeOf(() => decodePayload('["[[[[[[[[", "\\"[[[[[["]', limits))).toBeUndefined();
    // Up to maxDepth openings in all is accepted without a scan; past that, the scan decides.
    expect(codeOf(() => decodePayload('{"a":[{"b":[1]}]}', limits))).toBeUndefined();
    expect(codeOf(() => decodePayload('{"a":[{"b":[{}]}]}', limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
    expect(codeOf(() => decodePayload('[[1],[2],[[3]],{"x":{}}]', limits))).toBeUndefined();
    expect(codeOf(() => encodePayload({ a: [{ b: [{ c: 1 }] }] }, limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
  });
  it('refuses invalid JSON and values without a JSON form', () => {
    expect(codeOf(() => decodePayload('{"a":', limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
    expect(codeOf(() => encodePayload(undefined, limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(codeOf(() => encodePayload(cycle, limits))).toBe(ErrorCode.PAYLOAD_MALFORMED);
  });
  it('drops __proto__ keys so parsed payloads cannot pollute prototypes', () => {
    const parsed = parseJson('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}') as Record<string, unknown>;
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    const merged: Record<string, unknown> = { ...parsed };
    expect(merged.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
