/**
 * Typed handler writes and publish overloads, as a user's compiler sees them: snippets
 * are type-checked against src with the project's strict options, and the diagnostics
 * (or their absence) are the assertions. Then the emit-time schema check, at run time.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, ErrorCode, silentLogger, type Eventyard } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { optionsOf, typecheck, type Checked } from '../support/typecheck.js';

const root = join(import.meta.dirname, '..', '..');
const header = `
import { z } from 'zod';
import { createEventyard, defineMessageType } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
const B = defineMessageType({ name: 'RQ_B', schema: z.object({ s: z.string() }) });
const C = defineMessageType({ name: 'RQ_C', schema: z.object({ s: z.string() }) });
const OTHER = defineMessageType({ name: 'RQ_OTHER', schema: z.object({ n: z.number() }) });
const app = createEventyard({ store: createSqliteStore({ path: ':memory:' }), messageTypes: [B, C, OTHER] });
const service = app.service({ name: 'S' });
declare const dynamicName: string;
`;
const snippets: Record<string, string> = {
  ok: `
await app.publish(B, { s: 'x' });
await app.publish('RQ_B', { anything: 1 });
await app.publish(dynamicName, {});
service.handle(B, async (ctx) => {
  const s: string = ctx.payload.s;
  ctx.emit(C);
  ctx.emit('RQ_C');
  ctx.emit(dynamicName);
  const id: string = await ctx.emitEvent(OTHER, { n: s.length });
  await ctx.emitEvent('RQ_OTHER', { n: 1 });
  void id;
});
service.handle('RQ_OTHER', (ctx) => {
  const p: unknown = ctx.payload;
  void p;
  ctx.emit(B);
});
`,
  emitTypo: `service.handle(B, (ctx) => { ctx.emit('RQ_TYPO'); });`,
  publishTypo: `await app.publish('RQ_TYPO', {});`,
  handleTypo: `service.handle('RQ_TYPO', () => undefined);`,
  publishPayload: `await app.publish(B, { s: 1 });`,
  emitEventPayload: `service.handle(B, async (ctx) => { await ctx.emitEvent(OTHER, { n: 'one' }); });`,
  followUpMismatch: `service.handle(B, (ctx) => { ctx.emit(OTHER); });`,
  undeclaredType: `
const STRANGER = defineMessageType({ name: 'RQ_STRANGER', schema: z.object({ s: z.string() }) });
service.handle(B, (ctx) => { ctx.emit(STRANGER); });
`,
};

let checked: Checked;
const errorsOf = (name: string): readonly string[] =>
  checked.byFile.get(join(root, 'tests', 'unit', `__typed_${name}.ts`)) ?? ['(not checked)'];

beforeAll(() => {
  const files = Object.fromEntries(
    Object.entries(snippets).map(([name, body]) => [
      join(root, 'tests', 'unit', `__typed_${name}.ts`),
      `${header}\n${body}\nexport {};\n`,
    ]),
  );
  checked = typecheck(files, optionsOf(join(root, 'tsconfig.json')));
}, 120_000);

describe('types a user sees', () => {
  it('correct use compiles: type objects infer payloads, string names and run-time names still work', () => {
    expect(errorsOf('ok')).toEqual([]);
  });

  it('a misspelled name is a compile error in emit, publish and handle', () => {
    for (const name of ['emitTypo', 'publishTypo', 'handleTypo']) {
      const errors = errorsOf(name);
      expect(errors, name).toHaveLength(1);
      expect(errors[0], name).toMatch(
        /"RQ_TYPO"' is not assignable to parameter of type '"RQ_B" \| "RQ_C" \| "RQ_OTHER"'/,
      );
    }
  });

  it('a payload mistake is reported as one, not as "not assignable to string"', () => {
    for (const name of ['publishPayload', 'emitEventPayload']) {
      const errors = errorsOf(name);
      expect(errors, name).toHaveLength(1);
      expect(errors[0], name).toMatch(/Type '(number|string)' is not assignable to type '(string|number)'/);
      expect(errors[0], name).not.toMatch(/parameter of type 'string'/);
    }
  });

  it('a follow-up whose payload type does not accept the event payload, or an undeclared type, does not compile', () => {
    expect(errorsOf('followUpMismatch').join('\n')).toMatch(/one payload per EVENT_ID/);
    expect(errorsOf('undeclaredType').join('\n')).toMatch(/RQ_STRANGER/);
  });
});

describe('emit-time schema check', () => {
  let app: Eventyard | undefined;
  afterEach(() => app?.close());

  it('a follow-up whose schema rejects the stored payload fails the emitting attempt with EY_EMIT_PAYLOAD_MISMATCH', async () => {
    const retry = { maxAttempts: 2, backoff: 'fixed', delayMs: 5, jitter: false } as const;
    const RQ_B = defineMessageType({ name: 'RQ_B', schema: z.object({ s: z.string() }), retry });
    const RQ_N = defineMessageType({ name: 'RQ_N', schema: z.object({ n: z.number() }), retry });
    const RQ_ASYNC = defineMessageType({
      name: 'RQ_ASYNC',
      schema: z.object({ n: z.number() }).refine(async () => true),
      retry,
    });
    const store = createSqliteStore({ path: ':memory:' });
    app = createEventyard({ store, messageTypes: [RQ_B, RQ_N, RQ_ASYNC], logger: silentLogger });
    const thrown: unknown[] = [];
    const failed: string[] = [];
    app.on('failed', (e) => failed.push(`${e.message.messageType}: ${(e.error as { code?: string }).code}`));
    app
      .service({ name: 'S', idleMinMs: 1, idleMaxMs: 10, retryMechanism: { intervalMs: 10 } })
      .handle(RQ_B, async (ctx) => {
        try {
          ctx.emit('RQ_N'); // checked synchronously: throws here
        } catch (error) {
          thrown.push(error);
        }
        ctx.emit('RQ_ASYNC'); // an async schema: checked before the completion is written
      })
      .start();
    const { eventId } = await app.publish(RQ_B, { s: 'text' });
    await app.idle({ timeoutMs: 10_000 });
    expect(thrown).toHaveLength(2);
    expect(thrown[0]).toMatchObject({ code: ErrorCode.EMIT_PAYLOAD_MISMATCH });
    expect(String((thrown[0] as Error).message)).toMatch(
      /RQ_N's schema does not accept the payload of event .*one payload per EVENT_ID/,
    );
    expect(failed).toEqual([`RQ_B: ${ErrorCode.EMIT_PAYLOAD_MISMATCH}`]);
    const rows = (await app.list({ eventId, limit: 10 })).rows.map((r) => [r.messageType, r.status, r.attempts]);
    expect(rows).toEqual([['RQ_B', 'FAILED', 2]]);
  });
});
