/**
 * Takes the console screenshots in docs/images/ from a live run: the A → B → C example
 * writing to a SQLite file, the console sampling it, and a few FAILED rows added.
 *
 *   npx tsx tests/support/console-screenshots.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startConsoleServer } from '../../src/console/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { seedOpsFixture } from './ops-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'ey-shots-'));
const db = join(dir, 'abc.db');
const out = join(import.meta.dirname, '../../docs/images');
mkdirSync(out, { recursive: true });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const example = spawn(
  'npx',
  ['tsx', 'examples/abc/main.ts', '--events', '40000', '--fail-rate', '0.08', '--db', db, '--quiet'],
  {
    stdio: 'ignore',
  },
);
await sleep(4000);
const store = createSqliteStore({ path: db });
const server = await startConsoleServer({
  store,
  port: 0,
  sampleIntervalMs: 1000,
  storeLabel: 'sqlite:./abc.db',
  env: {},
});
await seedOpsFixture(store, { completed: 0, failed: 9, timeouts: 4, waiting: 0 });
await sleep(30_000);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
await page.goto(server.url);
await sleep(2500);
await page.screenshot({ path: join(out, 'console-overview.png'), fullPage: true });
await page.goto(`${server.url}#/flow`);
await sleep(1500);
await page.screenshot({ path: join(out, 'console-flow.png'), fullPage: true });
await page.goto(`${server.url}#/errors`);
await sleep(1500);
await page.screenshot({ path: join(out, 'console-errors.png'), fullPage: true });
const retried = (await store.list({ messageType: 'RQ_B_STP', statuses: ['COMPLETED'], limit: 2000 })).rows.find(
  (r) => r.attempts > 1,
);
await page.goto(`${server.url}#/event/${retried?.eventId ?? ''}`);
await sleep(1500);
await page.screenshot({ path: join(out, 'console-timeline.png'), fullPage: true });
await browser.close();
example.kill('SIGINT');
await new Promise((r) => example.on('exit', r));
await server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(`screenshots in ${out}`);
