#!/usr/bin/env node
// The README's test command: typecheck, lint, then every test tier. Ends with the line
// `N passed, N failed, N skipped` and exits non-zero on any failure, and on any skipped
// test when REQUIRE_ALL=1 (CI must never skip a backend suite).
//
//   npm test                                  # everything
//   npm test -- --tests-only tests/unit       # no typecheck or lint; vitest's file filters
//
// On a Node outside package.json's engines it runs itself on Node 24 (scripts/with-node.sh).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { runOnSupportedNode, satisfiesEngines } from './on-supported-node.mjs';

if (!satisfiesEngines()) runOnSupportedNode(['node', 'scripts/test.mjs', ...process.argv.slice(2)]);

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;
const testsOnly = process.argv.includes('--tests-only');
const steps = [
  ['node', ['scripts/build-sql.mjs']],
  ...(testsOnly
    ? []
    : [
        ['npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
        ['npx', ['tsc', '-p', 'src/console/ui/tsconfig.json']],
        ['npm', ['run', '--silent', 'lint']],
      ]),
];
let failedSteps = 0;
for (const [cmd, args] of steps) {
  if (run(cmd, args) !== 0) {
    console.error(`step failed: ${cmd} ${args.join(' ')}`);
    failedSteps++;
  }
}

const report = 'test-results.json';
rmSync(report, { force: true });
const extra = process.argv.slice(2).filter((a) => a !== '--tests-only');
const status = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);

let passed = 0,
  failed = 0,
  skipped = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  if (r.numFailedTestSuites > 0 && failed === 0) failed = r.numFailedTestSuites;
  // One line per failure, so a CI log read from its tail still names what failed.
  for (const file of r.testResults ?? []) {
    const where = file.name.replace(`${process.cwd()}/`, '');
    const failures = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    if (failures.length === 0 && file.status === 'failed')
      failures.push({ fullName: '(file)', failureMessages: [file.message ?? ''] });
    for (const a of failures) {
      const why = String(a.failureMessages?.[0] ?? '')
        .split('\n')[0]
        .slice(0, 200);
      console.error(`FAILED ${where} > ${a.fullName}: ${why}`);
    }
  }
} catch {
  failed = Math.max(failed, 1);
}
failed += failedSteps;
if (status !== 0 && failed === 0) failed = 1;
const mustNotSkip = process.env.REQUIRE_ALL === '1' || process.env.CI === 'true';
if (mustNotSkip && skipped > 0) console.error(`${skipped} test(s) skipped: CI requires every backend suite to run`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || (mustNotSkip && skipped > 0) ? 1 : 0);
