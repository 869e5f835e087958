import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMessageType, MessageRegistry } from '../../src/core/message-type.js';
import { ErrorCode, EventyardError } from '../../src/core/errors.js';
import { codeOf } from '../support/error-code.js';

const schema = z.object({ id: z.number() });
describe('defineMessageType', () => {
  it('derives the table from the prefix', () => {
    expect(defineMessageType({ name: 'IN_ORDER', schema }).table).toBe('inbound');
    expect(defineMessageType({ name: 'RQ_B_STP', schema }).table).toBe('request');
    expect(defineMessageType({ name: 'RS_B_STP', schema }).table).toBe('response');
    expect(defineMessageType({ name: 'OUT_POSTED', schema }).table).toBe('outbound');
    expect(defineMessageType({ name: 'AUDIT', schema, table: 'request' }).table).toBe('request');
  });
  it('refuses bad names, missing tables and non-Standard-Schema validators', () => {
    expect(codeOf(() => defineMessageType({ name: 'rq_lower', schema }))).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
    expect(codeOf(() => defineMessageType({ name: 'AUDIT', schema }))).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
    expect(codeOf(() => defineMessageType({ name: 'RQ_X', schema: {} as never }))).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
    expect(codeOf(() => defineMessageType({ name: 'RQ_X', schema, retry: { maxAttempts: -1 } }))).toBe(
      ErrorCode.INVALID_OPTION,
    );
  });
});

describe('MessageRegistry', () => {
  const a = defineMessageType({ name: 'RQ_A', schema });
  it('looks types up and names the declared ones on a miss', () => {
    const registry = new MessageRegistry([a]);
    expect(registry.get('RQ_A')).toBe(a);
    try {
      registry.get('RQ_NOPE');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventyardError);
      expect((error as EventyardError).code).toBe(ErrorCode.UNKNOWN_MESSAGE_TYPE);
      expect((error as EventyardError).message).toContain('RQ_A');
    }
  });
  it('refuses a type declared twice', () => {
    expect(codeOf(() => new MessageRegistry([a, defineMessageType({ name: 'RQ_A', schema })]))).toBe(
      ErrorCode.INVALID_MESSAGE_TYPE,
    );
  });
});
