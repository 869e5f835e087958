/**
 * Options are validated where they are given: createEventyard, app.service() and
 * createSqliteStore refuse what start() or the first publish used to trip over.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, ErrorCode, silentLogger } from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { codeOf } from '../support/error-code.js';

const RQ_REAL = defineMessageType({ name: 'RQ_REAL', schema: z.object({}) });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('construction-time validation', () => {
  it('createEventyard refuses a message type not made by defineMessageType', () => {
    for (const fake of [{ name: 'RQ_FAKE' }, { name: 'RQ_FAKE', table: 'request', schema: {} }, null, 'RQ_REAL']) {
      expect(
        codeOf(() => createEventyard({ store: createMemoryStore(), messageTypes: [RQ_REAL, fake as never] })),
      ).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
    }
  });

  it('app.service refuses bad retry mechanism options at once, not at start()', () => {
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [RQ_REAL], logger: silentLogger });
    expect(codeOf(() => app.service({ name: 'S', retryMechanism: { intervalMs: -5 } }))).toBe(ErrorCode.INVALID_OPTION);
    expect(codeOf(() => app.service({ name: 'S', retryMechanism: { bogus: 1 } as never }))).toBe(
      ErrorCode.INVALID_OPTION,
    );
    const ok = app.service({ name: 'S', retryMechanism: { intervalMs: 50 } }).handle(RQ_REAL, () => undefined);
    ok.start();
    expect(ok.health()).toMatchObject({ running: true });
    return app.close();
  });

  it('createSqliteStore refuses a path in a missing directory or with a NUL character, creating nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ey-path-'));
    dirs.push(dir);
    expect(codeOf(() => createSqliteStore({ path: join(dir, 'missing', 'store.db') }))).toBe(ErrorCode.INVALID_OPTION);
    expect(codeOf(() => createSqliteStore({ path: join(dir, 'a\u0000b.db') }))).toBe(ErrorCode.INVALID_OPTION);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });
});
