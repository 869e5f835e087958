/** The A → B → C example through each real broker, as a user runs it: exit 0, every order downstream. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROKER_KINDS } from '../../examples/brokers/brokers.js';
import startKafka from '../support/kafka-global-setup.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../examples/brokers/main.ts', import.meta.url));

beforeAll(() => startKafka(), 600_000);

describe.each(BROKER_KINDS)('examples/brokers/main.ts --broker %s', (kind) => {
  it('delivers every upstream order downstream through A → B → C', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', MAIN, '--broker', kind, '--events', '200', '--fail-rate', '0.05'],
      { timeout: 180_000 },
    );
    expect(stdout).toContain('downstream: 200 distinct of 200 sent, 0 missing');
    expect(stdout).toMatch(/\| OUT_POSTED +\| 0 +\| 0 +\| 200 +\| 0 +\| 0 +\| 0 +\|/);
  });
});
