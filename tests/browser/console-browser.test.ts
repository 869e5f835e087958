/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download). Overview, filtering to FAILED, an event's timeline, re-drive, login, XSS
 * probes stored in rows that must stay text, and the parked-keys view's two actions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer, type ConsoleServer } from '../../src/console/index.js';
import type { EventStore } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { seedOpsFixture, XSS_IMG, XSS_SCRIPT, type OpsFixture } from '../support/ops-fixture.js';
import { parkKey } from '../support/parked-key.js';

const CHROMIUM = process.env.EVENTYARD_CHROMIUM ?? '/usr/bin/chromium';
const COUNTS = { completed: 6, failed: 4, timeouts: 3, waiting: 2 };
const FAILED_ROWS = COUNTS.failed + COUNTS.timeouts + 1; // + the XSS event's row
const TOKEN = 'browser-test-token-0123456789';

let dir: string;
let store: EventStore;
let fixture: OpsFixture;
let open: ConsoleServer;
let secured: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ey-console-browser-'));
  store = createSqliteStore({ path: join(dir, 'app.db') });
  fixture = await seedOpsFixture(store, COUNTS);
  open = await startConsoleServer({
    store,
    port: 0,
    env: {},
    sampleIntervalMs: 500,
    traceUrl: 'http://tracing.example/trace/{traceId}',
  });
  secured = await startConsoleServer({ store, port: 0, auth: { token: TOKEN }, env: {} });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await open?.close();
  await secured?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records CSP violations, page errors and any XSS probe that ran. */
async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, problems };
}

describe('web console in Chromium', () => {
  it('shows the overview with counts per type and status', async () => {
    const { page, problems } = await newPage();
    await page.goto(open.url);
    await expect.poll(() => page.getByTestId('total-FAILED').locator('.n').textContent()).toBe(String(FAILED_ROWS));
    expect(await page.getByTestId('total-COMPLETED').locator('.n').textContent()).toBe(
      String(2 * COUNTS.completed + COUNTS.failed + COUNTS.timeouts + 2),
    );
    expect(await page.getByTestId('total-UNPROCESSED').locator('.n').textContent()).toBe(String(COUNTS.waiting));
    expect(await page.getByTestId('total-ERROR').locator('.n').textContent()).toBe('1');
    const bRow = page.getByTestId('type-RQ_B_STP');
    expect(await bRow.locator('td').nth(7).textContent()).toBe(String(FAILED_ROWS));
    expect(await page.locator('.uplot').count()).toBe(3);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters to FAILED, opens a timeline and re-drives a row', async () => {
    const { page, problems } = await newPage();
    await page.goto(`${open.url}#/rows`);
    await page.getByTestId('filter-status').selectOption('FAILED');
    await page.getByTestId('apply-filters').click();
    await expect.poll(() => page.getByTestId('row').count()).toBe(FAILED_ROWS);
    const statuses = await page.getByTestId('row').locator('.badge').allTextContents();
    expect(statuses).toEqual(Array(FAILED_ROWS).fill('FAILED'));

    const target = fixture.failedEventIds[0] as string;
    await page.getByTestId('row').filter({ hasText: target }).getByTestId('event-link').click();
    await expect.poll(() => page.getByTestId('event-id').textContent()).toBe(target);
    await expect.poll(() => page.getByTestId('step').count()).toBe(2);
    const steps = page.getByTestId('step');
    expect(await steps.nth(0).locator('.badge').textContent()).toBe('COMPLETED');
    expect(await steps.nth(1).locator('.badge').textContent()).toBe('FAILED');
    expect(await steps.nth(1).getByTestId('last-error').textContent()).toContain('card declined');
    expect(await steps.nth(1).getByTestId('trace-link').getAttribute('href')).toBe(
      `http://tracing.example/trace/${target.replace(/-/g, '')}`,
    );

    await steps.nth(1).getByTestId('redrive-row').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('step').nth(1).locator('.badge').textContent()).toBe('RETRY');
    const row = (await store.list({ eventId: target, messageType: 'RQ_B_STP', limit: 1 })).rows[0];
    expect(row?.status).toBe('RETRY');
    expect(row?.updatedBy).toBe('OPERATOR');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps XSS probes stored in rows as text', async () => {
    const { page, problems } = await newPage();
    await page.goto(`${open.url}#/event/${fixture.xssEventId}`);
    await expect.poll(() => page.getByTestId('step').count()).toBe(2);
    expect(await page.getByTestId('payload').textContent()).toBe(
      JSON.stringify({ note: XSS_SCRIPT, name: XSS_IMG }, null, 2),
    );
    expect(await page.getByTestId('last-error').textContent()).toBe(`Error: ${XSS_IMG} ${XSS_SCRIPT}`);
    await page.goto(`${open.url}#/errors`);
    // card declined (one was re-driven above), timeouts, the XSS row and the ERROR row
    await expect.poll(() => page.getByTestId('error-group').count()).toBe(4);
    const groupCounts = await page.getByTestId('error-group').locator('td:first-child').allTextContents();
    expect(groupCounts).toEqual([String(COUNTS.failed - 1), String(COUNTS.timeouts), '1', '1']);
    await page.goto(`${open.url}#/rows?status=FAILED&error=onerror`);
    await expect.poll(() => page.getByTestId('row').count()).toBe(1);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses without credentials, rejects a wrong token and logs in with the right one', async () => {
    const { page, problems } = await newPage();
    const refused = await page.request.get(`${secured.url}api/status`);
    expect(refused.status()).toBe(401);
    await page.goto(secured.url);
    await expect.poll(() => page.getByTestId('login').count()).toBe(1);
    await page.locator('input[name=token]').fill('wrong-token-0123456789');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('wrong credentials');
    await page.locator('input[name=token]').fill(TOKEN);
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.getByTestId('total-FAILED').count()).toBe(1);
    const allowed = await page.request.get(`${secured.url}api/status`);
    expect(allowed.status()).toBe(200);
    // the failed login logged a 401 in the console: that one is expected
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
    await page.close();
  });

  // Last: the parked keys add FAILED rows the counts above do not expect.
  it('lists parked keys; re-drives one head and skips another', async () => {
    const redriven = await parkKey(store, 'account-7', 1);
    const skipped = await parkKey(store, 'account-8', 2, `${XSS_IMG} ${XSS_SCRIPT}`);
    const { page, problems } = await newPage();
    await page.goto(`${open.url}#/keys`);
    await expect.poll(() => page.getByTestId('parked-key').count()).toBe(2);
    expect(await page.getByTestId('parked-key').getByTestId('waiting').allTextContents()).toEqual(['1', '2']);
    expect(await page.getByTestId('parked-key').nth(1).locator('.error-text').textContent()).toBe(
      `${XSS_IMG} ${XSS_SCRIPT}`,
    );

    await page.getByTestId('parked-key').filter({ hasText: 'account-7' }).getByTestId('redrive-head').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('parked-key').count()).toBe(1);
    const head = (await store.list({ eventId: redriven.headEventId, limit: 1 })).rows[0];
    expect([head?.status, head?.updatedBy]).toEqual(['RETRY', 'OPERATOR']);

    await page.getByTestId('parked-key').getByTestId('skip-head').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('no-parked-keys').count()).toBe(1);
    const skippedHead = (await store.list({ eventId: skipped.headEventId, limit: 1 })).rows[0];
    expect(skippedHead?.status).toBe('FAILED');
    expect(skippedHead?.lastError).toMatch(/^EY_KEY_SKIPPED: skipped by OPERATOR at .+Z; was: /);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(problems).toEqual([]);
    await page.close();
  });
});
