/**
 * Where a bench run's PostgreSQL server time goes, statement by statement: one run of
 * `bench/run-one.ts` (Eventyard from dist/: `npm run build` first) against a private
 * PostgreSQL 15 server with pg_stat_statements, then the statements by total time with their
 * calls, rows and buffer hits per call, and the tables' insert, update and HOT-update counts.
 * AUTO_EXPLAIN_MS=40 also writes the plan of every statement slower than that into the
 * server log, copied to /tmp/eventyard-probe-server.log.
 *
 *   node --import tsx tests/support/postgres-statement-probe.ts [workload=W5] [size=20000] [system=eventyard-postgres]
 *
 * `size` is W5's flows or W2's events (concurrency 32 either way).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createPostgresServer } from './postgres-server.js';

const [workload = 'W5', sizeArg = '20000', system = 'eventyard-postgres'] = process.argv.slice(2);
const size = Number(sizeArg);
const autoExplainMs = process.env['AUTO_EXPLAIN_MS'];
const params = workload === 'W5' ? { flows: size, concurrency: 32 } : { events: size, concurrency: 32 };

const startedAt = Date.now();
const server = await createPostgresServer({
  shared_preload_libraries: "'pg_stat_statements,auto_explain'",
  'pg_stat_statements.track': 'all',
  'auto_explain.log_min_duration': autoExplainMs ?? '-1',
  'auto_explain.log_analyze': 'on',
  'auto_explain.log_buffers': 'on',
  'auto_explain.log_nested_statements': 'on',
});
try {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE probe');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/probe');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION pg_stat_statements');
  await client.query('SELECT pg_stat_statements_reset()');
  const spec = { system, workload, params, profile: 'pg-sync-on', pgUrl: url };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', './bench/harness/compiled-src.mjs', 'bench/run-one.ts', JSON.stringify(spec)],
    { encoding: 'utf8', maxBuffer: 1e8 },
  );
  const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
    phases: { phase: string; window: { perSecond: number; serverCpuMsPerEvent: number | null } }[];
  };
  for (const { phase, window } of result.phases) {
    console.log(
      `${system} ${workload} ${phase}: ${window.perSecond.toFixed(0)}/s, server CPU ${window.serverCpuMsPerEvent} ms per unit`,
    );
  }
  const statements = await client.query(
    `SELECT calls, round(total_exec_time::numeric) AS ms, rows, shared_blks_hit / calls AS hits_per_call,
            round(rows::numeric / calls, 1) AS rows_per_call, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`,
  );
  console.table(statements.rows);
  const tables = await client.query(
    `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, analyze_count, autoanalyze_count
     FROM pg_stat_user_tables ORDER BY relname`,
  );
  console.table(tables.rows);
  await client.end();
} finally {
  if (autoExplainMs !== undefined) {
    // The private server's directory: the newest eventyard-pg-* made since this probe started.
    const dirs = readdirSync(tmpdir())
      .filter((d) => d.startsWith('eventyard-pg-'))
      .map((d) => join(tmpdir(), d))
      .filter((d) => statSync(d).mtimeMs >= startedAt)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (dirs[0] !== undefined) copyFileSync(join(dirs[0], 'server.log'), '/tmp/eventyard-probe-server.log');
  }
  await server.destroy();
}
