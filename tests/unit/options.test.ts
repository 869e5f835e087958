import { describe, expect, it } from 'vitest';
import { option, resolveOptions } from '../../src/core/options.js';
import { resolveProcessorOptions } from '../../src/processing/processor-options.js';
import type { EventyardError } from '../../src/core/errors.js';
import { ErrorCode, toError } from '../../src/core/errors.js';

const schema = {
  name: option.required(option.string()),
  size: option.int({ min: 1, max: 10, default: 3 }),
  mode: option.oneOf(['a', 'b'] as const, { default: 'a' }),
  note: option.optional(option.string()),
};

const failure = (fn: () => unknown): EventyardError => {
  try {
    fn();
  } catch (error) {
    return error as EventyardError;
  }
  throw new Error('expected a throw');
};

describe('resolveOptions', () => {
  it('fills defaults and freezes the result', () => {
    const resolved = resolveOptions('x', schema, { name: 'n' });
    expect(resolved).toEqual({ name: 'n', size: 3, mode: 'a' });
    expect(Object.isFrozen(resolved)).toBe(true);
  });
  it('refuses unknown keys, missing required keys and bad values, naming the key', () => {
    for (const [input, key] of [
      [{ name: 'n', colour: 1 }, 'colour'],
      [{}, 'name'],
      [{ name: 'n', size: 11 }, 'size'],
      [{ name: 'n', size: '3' }, 'size'],
      [{ name: 'n', mode: 'c' }, 'mode'],
      [{ name: '' }, 'name'],
    ] as const) {
      const error = failure(() => resolveOptions('x', schema, input as never));
      expect(error.code).toBe(ErrorCode.INVALID_OPTION);
      expect(error.message).toContain(`"${key}"`);
    }
  });
  it('validates processor options', () => {
    expect(resolveProcessorOptions({ concurrency: 4 }).concurrency).toBe(4);
    expect(failure(() => resolveProcessorOptions({ concurrency: 0 })).code).toBe(ErrorCode.INVALID_OPTION);
    expect(failure(() => resolveProcessorOptions({ leaseMs: 10 })).code).toBe(ErrorCode.INVALID_OPTION);
  });
});

describe('toError', () => {
  it('wraps non-Error throws with a stable code and keeps the value as cause', () => {
    for (const thrown of ['boom', 42, undefined, null, { a: 1 }]) {
      const error = toError(thrown) as EventyardError;
      expect(error.code).toBe(ErrorCode.HANDLER_THREW_NON_ERROR);
      expect(error.cause).toBe(thrown);
    }
    const original = new Error('x');
    expect(toError(original)).toBe(original);
  });
});
