/** jsonLogger: the reason reaches the line (message, code, cause chain, redacted); repeats are counted, not lost. */
import { describe, expect, it } from 'vitest';
import { ErrorCode, EventyardError, jsonLogger } from '../../src/index.js';
import { redactError, redactText } from '../../src/core/redact.js';

const parse = (lines: string[]): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('jsonLogger', () => {
  it('writes the message, code and cause chain of an error, URL passwords redacted', () => {
    const lines: string[] = [];
    const log = jsonLogger('warn', (l) => lines.push(l));
    const root = Object.assign(new Error('WRONGPASS invalid username-password pair'), { code: 'WRONGPASS' });
    const error = new EventyardError(ErrorCode.STORE_UNAVAILABLE, 'redis store: now failed: redis://u:hunter22@h', {
      cause: root,
    });
    log.warn({ err: error, partition: 1 }, 'claim failed; backing off');
    const [line] = parse(lines);
    expect(line).toMatchObject({
      level: 'warn',
      msg: 'claim failed; backing off',
      partition: 1,
      err: {
        name: 'EventyardError',
        code: 'EY_STORE_UNAVAILABLE',
        message: 'redis store: now failed: redis://u:***@h',
        cause: { name: 'Error', code: 'WRONGPASS', message: 'WRONGPASS invalid username-password pair' },
      },
    });
    expect(lines.join('')).not.toContain('hunter22');
  });

  it('rate-limits identical failures per window and reports how many were left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = jsonLogger('warn', (l) => lines.push(l), { repeatWindowMs: 1000, now: () => now });
    const same = (): EventyardError => new EventyardError(ErrorCode.STORE_UNAVAILABLE, 'malformed row');
    for (let i = 0; i < 20; i++) log.warn({ err: same() }, 'claim failed; backing off');
    log.warn({ err: new EventyardError(ErrorCode.STORE_UNAVAILABLE, 'other') }, 'claim failed; backing off');
    log.warn({}, 'no error: never limited');
    log.warn({}, 'no error: never limited');
    expect(lines).toHaveLength(4);
    now = 1000;
    log.warn({ err: same() }, 'claim failed; backing off');
    const last = parse(lines).at(-1);
    expect(last).toMatchObject({ repeated: 19, err: { message: 'malformed row' } });
    now = 1500;
    log.warn({ err: same() }, 'claim failed; backing off');
    expect(lines).toHaveLength(5);
  });
});

describe('redaction', () => {
  it('rebuilds a client error chain without the fields that carry credentials', () => {
    const client = Object.assign(new Error('ERR AUTH failed'), {
      command: { name: 'auth', args: ['user', 's3cret-value'] },
      input: 'amqp://guest:s3cret-value@host',
      code: 'ERR',
    });
    const outer = new Error('connect failed', { cause: client });
    const copy = redactError(outer, ['s3cret-value']) as Error;
    expect(JSON.stringify(copy)).not.toContain('s3cret-value');
    expect(String((copy.cause as Error).message)).toBe('ERR AUTH failed');
    expect((copy.cause as { code?: string }).code).toBe('ERR');
    expect((copy.cause as { command?: unknown }).command).toBeUndefined();
    expect(redactText('amqps://user:p%40ss@h:5671/v?password=x&a=1')).toBe(
      'amqps://user:***@h:5671/v?password=***&a=1',
    );
  });
});
