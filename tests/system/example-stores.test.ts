/**
 * The A → B → C example on the server stores, chosen by EVENTYARD_STORE: in one process, and
 * as three service processes. The example removes its own per-run key prefix (Redis) or
 * schema (PostgreSQL) at the end. The embedded default (SQLite) is tests/system/example.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const TYPES = ['IN_ORDER', 'RQ_B_STP', 'RQ_C_POST', 'OUT_POSTED'];

const STORES = [
  { title: 'Redis', env: { EVENTYARD_STORE: 'redis', EVENTYARD_REDIS_URL: 'redis://127.0.0.1:6379' } },
  {
    title: 'PostgreSQL',
    env: {
      EVENTYARD_STORE: 'postgres',
      EVENTYARD_POSTGRES_URL: process.env.EVENTYARD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
  },
];

/** MESSAGE_TYPE | UNPROCESSED | IN_PROGRESS | COMPLETED | ERROR | RETRY | FAILED */
function summary(out: string, type: string): number[] {
  const line = out.split('\n').find((l) => l.startsWith(`| ${type} `)) ?? '';
  return line
    .split('|')
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
    .slice(1)
    .map(Number);
}

describe.each(STORES)('the A → B → C example on $title (EVENTYARD_STORE=$env.EVENTYARD_STORE)', ({ title, env }) => {
  function runExample(script: string, args: readonly string[]): string {
    const run = spawnSync('node', ['--import', 'tsx', script, ...args], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, ...env },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return run.stdout;
  }

  it('one process: every event through A, B, C and the outbound relay, with retries', () => {
    const events = 2000;
    const out = runExample('examples/abc/main.ts', ['--events', String(events), '--fail-rate', '0.1', '--quiet']);
    for (const type of TYPES) expect(summary(out, type), type).toEqual([0, 0, events, 0, 0, 0]);
    expect(out).toMatch(new RegExp(`${events} delivered downstream, 0 delivered twice, 0 failed`));
  });

  it(`three service processes sharing the ${title} store`, () => {
    const events = 2000;
    const out = runExample('examples/abc/multi-process.ts', ['--events', String(events)]);
    for (const type of TYPES) expect(summary(out, type), type).toEqual([0, 0, events, 0, 0, 0]);
    expect(out).toMatch(new RegExp(`${events} events through 3 processes .* 0 delivered twice`));
  });
});
