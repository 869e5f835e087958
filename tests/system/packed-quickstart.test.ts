/**
 * The first hour from npm, done by a machine: pack this checkout, install the tarball and
 * the peers the README names into an empty project, copy the README's quick start, run it
 * (it prints the event table and exits 0), and type-check it with `strict` and
 * `skipLibCheck: false` — on TypeScript 5.9 and on the current major — in a project that
 * has neither `@types/better-sqlite3` nor a broker client. A misspelled message type in a
 * handler's emit must not compile there either.
 *
 * Everything comes from the registry (or npm's cache), installed without install scripts;
 * better-sqlite3 then gets this checkout's native build of the same version, so the test
 * does not compile SQLite from source each run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf } from '../support/doc-blocks.js';
import { packAndInstall, ROOT, runCommand, type PackedProject } from '../support/packed.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const TS_PREVIOUS = '5.9';
let tsCurrent = '';

/** The `npm install` line of the README for the SQLite store: its packages after `eventyard`. */
function readmePeers(): string[] {
  const line = /^npm install eventyard (.+?)\s+#.*SQLite/m.exec(readme)?.[1];
  if (line === undefined) throw new Error('the README has no install line for the SQLite store');
  return line.trim().split(/\s+/);
}

const quickStart = (): string => {
  const section = readme.slice(readme.indexOf('## Quick start'));
  const [block] = blocksOf('README.md', section).filter((b) => b.run);
  if (block === undefined) throw new Error('the README has no runnable quick start');
  return block.code;
};

let consumer: PackedProject;
let tsCurrentProject: PackedProject;

beforeAll(async () => {
  tsCurrent = (
    await runCommand('npm', ['view', 'typescript', 'version'], { cwd: ROOT, timeoutMs: 60_000 })
  ).stdout.trim();
  expect(tsCurrent).toMatch(/^\d+\.\d+\.\d+$/);
  consumer = await packAndInstall({
    node: 'current',
    deps: [...readmePeers(), `typescript@${TS_PREVIOUS}`, '@types/node@20'],
  });
  // The current major in a directory of its own, so each compiler is the one named.
  tsCurrentProject = await packAndInstall({ node: 'current', deps: [`typescript@${tsCurrent}`] });
  consumer.writeFile(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        noEmit: true,
      },
      include: ['quickstart.ts'],
    }),
  );
  consumer.writeFile('quickstart.ts', quickStart());
  consumer.writeFile(
    'typo.ts',
    `${quickStart().split('\nconst app')[0]}
const app = createEventyard({ store: createSqliteStore({ path: ':memory:' }), messageTypes: [IN_ORDER, RQ_CHARGE] });
app.service({ name: 'S' }).handle(IN_ORDER, (ctx) => { ctx.emit('RQ_TYPO'); });
`,
  );
  consumer.writeFile('tsconfig.typo.json', JSON.stringify({ extends: './tsconfig.json', include: ['typo.ts'] }));
}, 1_800_000);

afterAll(() => {
  consumer?.remove();
  tsCurrentProject?.remove();
});

describe('installed from the packed tarball', () => {
  it('the project has no @types/better-sqlite3 and no broker client', async () => {
    const installed = consumer.npm(['ls', '--all', '--parseable']).stdout;
    for (const absent of ['@types/better-sqlite3', 'ioredis', 'amqplib', '@platformatic/kafka', '@nats-io/']) {
      expect(installed, absent).not.toContain(`node_modules/${absent}`);
    }
  });

  it("the README's quick start runs, prints the event table and exits 0", async () => {
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const result = await consumer.runAsync([tsx, 'quickstart.ts'], 120_000);
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/EVENT_ID\s+│\s+MESSAGE_TYPE\s+│\s+STATUS/);
    expect(result.stdout.match(/│ 'COMPLETED' /g)).toHaveLength(4);
    expect(result.stderr).toMatch(/"level":"warn".*RQ_CHARGE failed, attempt 1 of 5/);
  });

  for (const version of [TS_PREVIOUS, 'current']) {
    it(`the quick start type-checks with strict and skipLibCheck false on TypeScript ${version}`, async () => {
      const tsc = join(
        (version === 'current' ? tsCurrentProject : consumer).dir,
        'node_modules',
        'typescript',
        'bin',
        'tsc',
      );
      const shown = (await consumer.runAsync([tsc, '--version'], 60_000)).stdout.trim();
      expect(shown).toContain(version === 'current' ? tsCurrent : `Version ${TS_PREVIOUS}`);
      const checked = await consumer.runAsync([tsc, '-p', 'tsconfig.json'], 300_000);
      expect(checked.status, `${shown}\n${checked.stdout}\n${checked.stderr}`).toBe(0);
      const typo = await consumer.runAsync([tsc, '-p', 'tsconfig.typo.json'], 300_000);
      expect(typo.status, shown).not.toBe(0);
      expect(typo.stdout).toMatch(
        /typo\.ts.*"RQ_TYPO"' is not assignable to parameter of type '"IN_ORDER" \| "RQ_CHARGE"'/,
      );
    });
  }
});
