/** The message types the system tests' workers handle. */
import { z } from 'zod';
import { defineMessageType } from '../../src/index.js';

export const Work = z.object({ n: z.number().int(), poison: z.boolean().optional() });

export function workTypes(maxAttempts: number) {
  return [
    defineMessageType({
      name: 'RQ_WORK',
      schema: Work,
      retry: { maxAttempts, backoff: 'fixed', delayMs: 0, jitter: false },
    }),
  ];
}
