/**
 * W5 the A → B → C → outbound pipeline: the stages run, then `flows` orders are fed in
 * batches of 200 as fast as the store takes them; the window ends when the store counts
 * every flow's last stage COMPLETED. End-to-end latency runs from the feed call of a
 * flow's batch to the store confirming its last stage: measured under full load, so it
 * includes the time spent queued behind the backlog.
 * Exact check: every stage COMPLETED for every flow (4 × flows rows), nothing else, the
 * last stage's handler ran once per flow.
 */
import { performance } from 'node:perf_hooks';
import { SeqLedger } from '../harness/payloads.js';
import { Samples } from '../harness/stats.js';
import { makeOrders, STAGES } from '../systems/pipeline-types.js';
import { formatCounts, waitForCount } from './completion.js';
import { param, type PhaseResult, type RunEnv } from './types.js';

const FEED_BATCH = 200;

export async function pipeline(env: RunEnv): Promise<PhaseResult[]> {
  const flows = param(env.spec.params, 'flows');
  const concurrency = param(env.spec.params, 'concurrency');
  const system = await env.createPipeline();
  const orders = makeOrders(flows);
  const sentAt = new Float64Array(flows);
  const latency = new Samples();
  const delivered = new SeqLedger(flows);
  try {
    const meter = env.createMeter();
    await meter.start();
    await system.start({
      concurrency,
      onDelivered: (seq) => void delivered.record(seq),
      onFlowCompleted: (seq) => latency.add(performance.now() - (sentAt[seq] ?? NaN)),
    });
    for (let i = 0; i < flows; i += FEED_BATCH) {
      const batch = orders.slice(i, i + FEED_BATCH);
      const at = performance.now();
      for (const f of batch) sentAt[f.seq] = at;
      await system.feed(batch);
    }
    const endAt = await waitForCount(
      flows,
      () => system.flowsCompletedSoFar(),
      () => system.finalCompleted(),
      async () => formatCounts(await system.counts()),
    );
    const window = await meter.stop(flows, endAt);
    await system.stop();
    const counts = await system.counts();
    const ledger = delivered.check();
    const rows = flows * STAGES.length;
    const ok =
      counts.completed === rows &&
      counts.pending + counts.active + counts.retrying + counts.failed === 0 &&
      ledger.missing === 0 &&
      ledger.duplicates === 0;
    const l = latency.summary();
    return [
      {
        phase: `${flows.toLocaleString('en')} flows, concurrency ${concurrency} per stage`,
        window,
        extra: {
          'end-to-end p50 ms': l.p50,
          'end-to-end p99 ms': l.p99,
          'end-to-end max ms': l.max,
        },
        check: {
          ok,
          detail: `store: ${formatCounts(counts)} (expected ${rows} completed over ${STAGES.length} stages); last stage: ${ledger.missing} never run, ${ledger.duplicates} run twice`,
        },
      },
    ];
  } finally {
    await system.close();
  }
}
