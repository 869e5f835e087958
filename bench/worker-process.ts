/**
 * W6's victim: a worker in its own process that claims events, tells the run process
 * which ones it started (IPC), and never finishes them, until it is killed with SIGKILL.
 *   node --import tsx --import ./bench/harness/compiled-src.mjs bench/worker-process.ts '<SystemName>' '<SystemOptions JSON>' <concurrency>
 */
import { createSystem } from './systems/index.js';
import type { SystemName, SystemOptions } from './systems/types.js';

const [name, optionsJson, concurrency] = process.argv.slice(2);
const system = await createSystem(name as SystemName, JSON.parse(optionsJson ?? '{}') as SystemOptions);
await system.startWorkers({
  concurrency: Number(concurrency),
  handle: ({ payload }) => {
    process.send?.({ started: payload.seq });
    return new Promise<void>(() => undefined); // hangs until the process is killed
  },
});
process.send?.({ ready: true });
