/** The main job: the A → B → C example runs to the end and its final table is right. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the A → B → C example', () => {
  it('processes every event through A, B, C and the outbound relay, with retries', () => {
    const events = 2000;
    const run = spawnSync(
      'node',
      ['--import', 'tsx', 'examples/abc/main.ts', '--events', String(events), '--fail-rate', '0.1', '--quiet'],
      { encoding: 'utf8', timeout: 300_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    // The summary: every message type COMPLETED for every event, nothing else left.
    for (const type of ['IN_ORDER', 'RQ_B_STP', 'RQ_C_POST', 'OUT_POSTED']) {
      const line = out.split('\n').find((l) => l.startsWith(`| ${type} `));
      expect(line, `summary line for ${type}`).toBeDefined();
      const cells = (line ?? '')
        .split('|')
        .map((c) => c.trim())
        .filter((c) => c.length > 0);
      // MESSAGE_TYPE | UNPROCESSED | IN_PROGRESS | COMPLETED | ERROR | RETRY | FAILED
      expect(cells.slice(1).map(Number)).toEqual([0, 0, events, 0, 0, 0]);
    }
    // The event table shows rows of B that needed more than one attempt, completed by SERVICE_B.
    const retried = out
      .split('\n')
      .filter((l) => l.includes('| RQ_B_STP ') && l.includes('| COMPLETED '))
      .map((l) => l.split('|').map((c) => c.trim()))
      .filter((cells) => Number(cells[4]) > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((cells) => cells[5] === 'SERVICE_A' && cells[7] === 'SERVICE_B')).toBe(true);
    expect(out).toMatch(new RegExp(`${events} delivered downstream, 0 delivered twice, 0 failed`));
  });
});
