/**
 * The published package, as users install it: the tarball of `npm pack` ships only dist/, the
 * CLI launcher, the README, the LICENSE and package.json; installed into an empty project on Node 22 and on Node 24
 * (with the optional peer clients) it installs without engine or deprecation warnings, and every
 * subpath of its exports map imports and exposes its entry point. The SQLite subpath also opens a
 * store, publishes and reads back, so the native client is proven to load on that Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packAndInstall, packOnce, ROOT, type PackedProject } from '../support/packed.js';

const PEERS = [
  'better-sqlite3',
  'ioredis',
  '@platformatic/kafka',
  'amqplib',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  'pg',
  'prom-client',
  '@opentelemetry/api',
];

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};
const SUBPATHS = Object.keys(manifest.exports);

/** One named export each subpath must have, as a function. */
const ENTRY_POINT: Record<string, string> = {
  '.': 'createEventyard',
  './sqlite': 'createSqliteStore',
  './redis': 'createRedisStore',
  './testing': 'runStoreConformance',
  './testing/brokers': 'runBrokerConformance',
  './kafka': 'createKafkaBroker',
  './rabbitmq': 'createRabbitMqBroker',
  './nats': 'createNatsBroker',
  './store': 'assertTransition',
  './postgres': 'createPostgresStore',
  './console': 'createConsole',
  './metrics': 'createMetrics',
  './tracing': 'createTracer',
};

const PROBE = `
const subpaths = ${JSON.stringify(SUBPATHS)};
const entry = ${JSON.stringify(ENTRY_POINT)};
const result = { node: process.version, imported: [], missing: [] };
for (const subpath of subpaths) {
  const specifier = subpath === '.' ? 'eventyard' : 'eventyard' + subpath.slice(1);
  const mod = await import(specifier);
  if (typeof mod[entry[subpath]] === 'function') result.imported.push(subpath);
  else result.missing.push(subpath + ': ' + entry[subpath]);
}
const { createSqliteStore } = await import('eventyard/sqlite');
const store = createSqliteStore({ path: ':memory:' });
await store.publish([
  { eventId: '0190a3c1-7f2e-7c4b-9d1e-2a3b4c5d6e7f', messageType: 'PROBE', table: 'inbound', payload: '{}', maxAttempts: 1, createdBy: 'probe' },
]);
result.sqliteCounts = await store.countByStatus();
await store.close();
console.log(JSON.stringify(result));
`;

describe('the packed package', () => {
  it('ships only dist/, the CLI launcher, README.md, LICENSE and package.json', async () => {
    const { files } = await packOnce();
    const outside = files.filter(
      (f) => !f.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json', 'bin/eventyard.js'].includes(f),
    );
    expect(outside).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/'))).toEqual([
      'LICENSE',
      'README.md',
      'bin/eventyard.js',
      'package.json',
    ]);
    for (const target of Object.values(manifest.exports)) {
      expect(files).toContain(target.types.replace(/^\.\//, ''));
      expect(files).toContain(target.default.replace(/^\.\//, ''));
    }
    expect(files.filter((f) => f.startsWith('dist/') && /\.test\.|\/tests?\//.test(f))).toEqual([]);
  });

  const projects: PackedProject[] = [];
  afterAll(() => projects.forEach((p) => p.remove()));

  for (const node of [24, 22] as const) {
    it(`installs on Node ${node} without warnings and imports every subpath export`, async () => {
      const project = await packAndInstall({ node, deps: PEERS });
      projects.push(project);
      expect(project.node.version).toMatch(new RegExp(`^v${node}\\.`));
      const warnings = project.installLog.split('\n').filter((l) => /EBADENGINE|deprecated|npm warn/i.test(l));
      expect(warnings).toEqual([]);

      project.writeFile('probe.mjs', PROBE);
      const out = project.run(['probe.mjs'], { timeoutMs: 120_000 });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const result = JSON.parse(out.stdout) as {
        node: string;
        imported: string[];
        missing: string[];
        sqliteCounts: { count: number }[];
      };
      expect(result.node).toBe(project.node.version);
      expect(result.missing).toEqual([]);
      expect(result.imported).toEqual(SUBPATHS);
      expect(result.imported).toHaveLength(Object.keys(ENTRY_POINT).length);
      expect(result.sqliteCounts.map((c) => c.count)).toEqual([1]);
    });
  }
});
