/**
 * WAL checkpoints off the event loop. better-sqlite3 is synchronous, and SQLite's
 * automatic checkpoint runs on the commit that finds `wal_autocheckpoint` frames in the WAL:
 * it copies them into the database file and syncs both while every handler, timer and
 * publish of the process waits (tens of ms for 10,000 pages). Here a worker thread with its
 * own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`, and the store's
 * connection runs no automatic checkpoint. A PASSIVE checkpoint takes no lock a writer or
 * reader waits for, so commits go on while it copies and syncs.
 *
 * One thing the thread cannot do is rewind the WAL. A writer starts the WAL over only when
 * every frame is already copied at the start of its transaction, and under a steady stream
 * of commits some always came in while the thread's checkpoint ran, so the WAL (and the WAL
 * index every page read searches) would grow without end. So when a pass finds `rewindPages`
 * frames in the WAL, the thread asks the store's connection (`onRewind`) to checkpoint once
 * itself: between two of its own commits, just after the thread's pass, it copies the few
 * frames written since and leaves none, and its next commit starts the WAL over.
 *
 * The thread asks through a flag in shared memory, which the store reads after each of its
 * write transactions (`rewindIfAsked`), not through a message: a message waits for the
 * event loop's next turn, and a caller that awaits one publish after another (an import
 * script, a batch job) never lets the loop turn, since each of those promises is already
 * settled when it is awaited. The WAL then grew by every commit for as long as the loop ran
 * (docs/sqlite.md, "Checkpoints").
 *
 * The worker is started from a string (`eval`): it needs no file of its own, so it runs the
 * same from src/ under tsx or vitest as from dist/. It loads the better-sqlite3 this module
 * resolves, by absolute path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../processing/logger.js';

export interface CheckpointerOptions {
  /** The database file, as the store's connection opened it. */
  readonly path: string;
  readonly intervalMs: number;
  /** The store's `synchronous`: the checkpoint syncs the WAL and the file as it says. */
  readonly synchronous: 'NORMAL' | 'FULL';
  readonly busyTimeoutMs: number;
  /** WAL frames from which the thread asks for a rewind (see above). */
  readonly rewindPages: number;
  /** Checkpoints on the store's connection, between its commits (called by rewindIfAsked). */
  readonly onRewind: () => void;
  /** Called once if the thread stops by itself: the store's commits checkpoint again. */
  readonly onFailed: () => void;
  readonly logger: Logger;
}

/** What the worker posts back: a checkpoint that failed or recovered. */
type WorkerReport = { readonly kind: 'failed'; readonly message: string } | { readonly kind: 'recovered' };

/** New WAL frames a catch-up pass may find before the thread asks for the rewind (4 MB of 4 KB pages). */
const CATCH_UP_PAGES = 1000;

/** How long close() waits for the worker's last checkpoint before it terminates it. */
const CLOSE_WAIT_MS = 5000;

// CommonJS, run by the worker thread. One checkpoint at a time, never overlapping: the next
// is scheduled when one ends. Reports only changes (a failure, a different failure, the
// recovery), so a disk that fails every second does not log every second. A rewind is asked
// for by setting the shared flag (see above).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
const rewind = new Int32Array(workerData.rewindFlag);
db.pragma('synchronous = ' + workerData.synchronous);
let timer;
let lastFailure;
const checkpoint = () => {
  try {
    const [pass] = db.pragma('wal_checkpoint(PASSIVE)');
    if (pass.log >= workerData.rewindPages) {
      // Frames committed while a pass copied are left for the next. More passes catch up,
      // each shorter than the one before, until one finds at most CATCH_UP_PAGES new frames
      // (or after five): the store's own checkpoint, which its event loop waits for, then
      // finds little left to copy.
      let last = pass.log;
      for (let i = 0; i < 5; i++) {
        const [again] = db.pragma('wal_checkpoint(PASSIVE)');
        const added = again.log - last;
        last = again.log;
        if (added <= ${CATCH_UP_PAGES}) break;
      }
      Atomics.store(rewind, 0, 1);
    }
    if (lastFailure !== undefined) parentPort.postMessage({ kind: 'recovered' });
    lastFailure = undefined;
  } catch (error) {
    const message = String(error && error.message);
    if (message !== lastFailure) parentPort.postMessage({ kind: 'failed', message });
    lastFailure = message;
  }
  timer = setTimeout(checkpoint, workerData.intervalMs);
};
timer = setTimeout(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /**
   * Rewinds the WAL (`onRewind`) if the thread asked for it since the last call. The store
   * calls it after each of its write transactions: a read of shared memory when not asked.
   */
  rewindIfAsked(): void;
  /** Stops the worker after its current checkpoint, and closes its connection. */
  close(): Promise<void>;
}

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const { logger } = options;
  const rewindFlag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path: options.path,
      intervalMs: options.intervalMs,
      rewindPages: options.rewindPages,
      synchronous: options.synchronous,
      busyTimeoutMs: options.busyTimeoutMs,
      rewindFlag: rewindFlag.buffer,
    },
  });
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (report: WorkerReport) => {
    if (report.kind === 'failed') {
      logger.warn({ path: options.path, err: new Error(report.message) }, 'sqlite store: a WAL checkpoint failed');
    } else {
      logger.info({ path: options.path }, 'sqlite store: WAL checkpoints succeed again');
    }
  });
  worker.on('error', (error) => {
    // While the store closes nothing runs on commits any more: say only that it failed.
    logger.warn(
      { path: options.path, err: error },
      closing
        ? 'sqlite store: the checkpoint thread failed while the store closed'
        : 'sqlite store: the checkpoint thread stopped; checkpoints run on commits again',
    );
  });
  void exited.then(() => {
    if (!closing) options.onFailed();
  });
  // The worker never keeps the process alive (an exit takes it along). After the listeners:
  // adding a 'message' listener refs the worker again.
  worker.unref();
  return {
    rewindIfAsked() {
      if (rewindFlag[0] === 0 || closing) return;
      Atomics.store(rewindFlag, 0, 0);
      options.onRewind();
    },
    async close() {
      if (closing) return exited;
      closing = true;
      // Held by this close: an unref'd worker would let the process end before it exits.
      worker.ref();
      worker.postMessage('close');
      const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
