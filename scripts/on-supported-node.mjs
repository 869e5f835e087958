#!/usr/bin/env node
// Usage: node scripts/on-supported-node.mjs <command...>
//        node scripts/on-supported-node.mjs --check    (exit 0 when this Node is supported)
//
// Runs the command with the Node running this script when that Node satisfies package.json's
// engines.node; otherwise (a machine whose Node is older, such as an end-of-life Node 20) says so
// and runs it through `scripts/with-node.sh 24`, which uses a pinned Node 24 and its own
// node_modules (installed on first use). `npm start` and `npm test` go through here, so the
// README's commands work on such a machine too. Uses only Node built-ins: it runs before anything
// is known about node_modules.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The lowest version of `>=X.Y[.Z]`, the only form our engines field uses. */
export function engineFloor() {
  const range = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).engines?.node ?? '';
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (match === null) throw new Error(`engines.node ${JSON.stringify(range)}: expected the form >=X.Y.Z`);
  return { range, floor: match.slice(1).map((n) => Number(n ?? 0)) };
}

export function satisfiesEngines(version = process.versions.node) {
  const have = version.split('.').map(Number);
  const { floor } = engineFloor();
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== floor[i]) return (have[i] ?? 0) > floor[i];
  }
  return true;
}

/** Runs argv here when this Node is supported, through with-node.sh 24 otherwise; exits with its status. */
export function runOnSupportedNode(argv) {
  let cmd = argv;
  if (!satisfiesEngines()) {
    const { range } = engineFloor();
    console.error(
      `Node ${process.version} is outside this project's engines (${range}): running \`${argv.join(' ')}\` on ` +
        'Node 24 through scripts/with-node.sh (the first run downloads it and installs its node_modules).',
    );
    cmd = [`${root}scripts/with-node.sh`, '24', ...argv];
  }
  const [file, ...args] = cmd;
  const result = spawnSync(file, args, { stdio: 'inherit', cwd: process.cwd() });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--check') {
    const ok = satisfiesEngines();
    console.log(`Node ${process.version} ${ok ? 'satisfies' : 'is outside'} engines ${engineFloor().range}`);
    process.exit(ok ? 0 : 1);
  }
  if (process.argv.length < 3) {
    console.error('usage: node scripts/on-supported-node.mjs <command...>');
    process.exit(2);
  }
  runOnSupportedNode(process.argv.slice(2));
}
