/**
 * The front door, pinned: every entry point of package.json and the runtime names each
 * exports. A change here is a change to what users may depend on, so it must be made on
 * purpose, in this list. (Types are pinned by the packed-package test compiling the
 * README.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

const METRICS_NAMES = ['createMetrics'];
const TRACING_NAMES = ['MESSAGING_SYSTEM', 'createTracer'];
const POSTGRES_NAMES = [
  'LATEST_SCHEMA_VERSION',
  'POSTGRES_FEATURES',
  'createPostgresStore',
  'drizzleTransaction',
  'handlerClient',
  'kyselyTransaction',
];

const PINNED: Record<string, readonly string[]> = {
  '.': [
    'ErrorCode',
    'EventyardError',
    'Header',
    'NonRetryableError',
    'REJECTED_TYPE',
    'Status',
    'Table',
    'createEventyard',
    'createHealthHandler',
    'createInboundProcessor',
    'createOutboundProcessor',
    'defineMessageType',
    'inboundRejectedType',
    'isEventyardError',
    'jsonLogger',
    'probeHealth',
    'silentLogger',
  ],
  './sqlite': ['LATEST_SCHEMA_VERSION', 'createSqliteStore'],
  './redis': ['createRedisStore'],
  './store': [
    'ALL_STATUSES',
    'ALL_TABLES',
    'CLAIMABLE',
    'DEFAULT_PAYLOAD_LIMITS',
    'ErrorCode',
    'EventyardError',
    'INBOUND_NAMESPACE',
    'MESSAGE_TYPE_NAME',
    'REDRIVABLE',
    'Status',
    'TERMINAL',
    'TRANSITIONS',
    'Table',
    'Transition',
    'assertTransition',
    'canTransition',
    'createUuidV7Generator',
    'decodePayload',
    'derivedEventId',
    'describeError',
    'encodePayload',
    'errorCodeOf',
    'isStatus',
    'isoTime',
    'parseJson',
    'systemClock',
    'toError',
    'uuidGenerator',
    'uuidV5',
    'uuidV7Generator',
    'validTraceparent',
  ],
  './testing': [
    'CONFORMANCE_CASES',
    'DEFAULT_TIMING',
    'TEST_SERVICE',
    'TEST_TABLE',
    'TEST_TYPE',
    'assertBetween',
    'claimNone',
    'claimOne',
    'claimRequest',
    'conformanceCoverage',
    'createMemoryStore',
    'expectRow',
    'findRow',
    'getRow',
    'leaseRefOf',
    'listAll',
    'newMessage',
    'publishInOrder',
    'runConformanceCase',
    'runStoreConformance',
    'sleep',
  ],
  './testing/brokers': [
    'BROKER_CONFORMANCE_CASES',
    'DEFAULT_BROKER_TIMING',
    'brokerConformanceCoverage',
    'runBrokerConformance',
    'runBrokerConformanceCase',
  ],
  './console': ['CSP', 'createConsole', 'startConsoleServer'],
  './metrics': METRICS_NAMES,
  './tracing': TRACING_NAMES,
  './postgres': POSTGRES_NAMES,
  './kafka': ['KAFKA_FEATURES', 'createKafkaBroker'],
  './rabbitmq': ['RABBITMQ_FEATURES', 'createRabbitMqBroker'],
  './nats': ['NATS_FEATURES', 'createNatsBroker'],
};

/** `./dist/stores/sqlite/index.js` → the source it is built from. */
const sourceOf = (built: string): string => join(root, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));

describe('the export list', () => {
  it('package.json has exactly the pinned entry points, each with types next to its code', () => {
    expect(Object.keys(pkg.exports).sort()).toEqual(Object.keys(PINNED).sort());
    for (const [entry, target] of Object.entries(pkg.exports)) {
      expect(target.types, entry).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
  });

  for (const [entry, names] of Object.entries(PINNED)) {
    it(`${entry} exports exactly its pinned runtime names`, async () => {
      const target = pkg.exports[entry];
      expect(target, entry).toBeDefined();
      const module = (await import(pathToFileURL(sourceOf(target?.default ?? '')).href)) as Record<string, unknown>;
      expect(Object.keys(module).sort()).toEqual([...names].sort());
    });
  }
});
