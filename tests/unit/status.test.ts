import { describe, expect, it } from 'vitest';
import { ALL_STATUSES, assertTransition, canTransition, Status, TRANSITIONS } from '../../src/core/status.js';
import { ErrorCode, EventyardError } from '../../src/core/errors.js';

/** The transition table as documented (README, docs/concepts.md), written out independently of the table under test. */
const ALLOWED = new Set([
  'UNPROCESSED>IN_PROGRESS',
  'RETRY>IN_PROGRESS',
  'IN_PROGRESS>COMPLETED',
  'IN_PROGRESS>ERROR',
  'IN_PROGRESS>FAILED',
  'IN_PROGRESS>UNPROCESSED',
  'IN_PROGRESS>RETRY',
  'ERROR>RETRY',
  'FAILED>RETRY',
]);

describe('status transitions', () => {
  it('has six statuses', () => {
    expect(ALL_STATUSES).toEqual(['UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED']);
  });

  for (const from of ALL_STATUSES) {
    for (const to of ALL_STATUSES) {
      const allowed = ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        if (allowed) {
          expect(typeof assertTransition(from, to)).toBe('string');
        } else {
          expect(() => assertTransition(from, to)).toThrow(EventyardError);
          try {
            assertTransition(from, to);
          } catch (error) {
            expect((error as EventyardError).code).toBe(ErrorCode.INVALID_TRANSITION);
          }
        }
      });
    }
  }

  it('lists exactly the allowed transitions in the table', () => {
    const inTable = Object.entries(TRANSITIONS).flatMap(([from, tos]) => Object.keys(tos).map((to) => `${from}>${to}`));
    expect(new Set(inTable)).toEqual(ALLOWED);
  });

  it('COMPLETED is a dead end, FAILED only leaves by re-drive', () => {
    expect(Object.keys(TRANSITIONS[Status.COMPLETED])).toEqual([]);
    expect(Object.keys(TRANSITIONS[Status.FAILED])).toEqual([Status.RETRY]);
  });
});
