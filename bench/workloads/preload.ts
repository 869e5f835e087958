/** Loads a backlog before a measured window (not measured itself), and checks it landed. */
import { performance } from 'node:perf_hooks';
import type { BenchPayload } from '../harness/payloads.js';
import type { QueueSystem } from '../systems/types.js';

const CHUNK = 1000;

export async function preload(system: QueueSystem, payloads: readonly BenchPayload[]): Promise<number> {
  const before = (await system.counts()).pending;
  const started = performance.now();
  for (let i = 0; i < payloads.length; i += CHUNK) await system.publishBatch(payloads.slice(i, i + CHUNK));
  const counts = await system.counts();
  if (counts.pending - before !== payloads.length) {
    throw new Error(`preload: ${counts.pending - before} events became pending, expected ${payloads.length}`);
  }
  return (performance.now() - started) / 1000;
}
