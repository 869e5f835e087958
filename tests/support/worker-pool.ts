/** Starts, kills and respawns worker processes for the system tests. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export class WorkerPool {
  readonly workers = new Set<ChildProcess>();
  readonly killed = new Set<number>();
  readonly exited = new Map<number, number | string | null>();
  #respawn = true;

  constructor(private readonly args: readonly string[]) {}

  /** Starts a worker and resolves when it is polling. */
  async spawn(): Promise<ChildProcess> {
    const child = fork(WORKER, [...this.args], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.workers.add(child);
    child.once('exit', (code, signal) => {
      this.workers.delete(child);
      this.exited.set(child.pid ?? -1, code ?? signal);
      if (signal === 'SIGKILL' && child.pid !== undefined) this.killed.add(child.pid);
      // Poison rows kill their own worker: replace it, as a supervisor would.
      if (this.#respawn && signal === 'SIGKILL') void this.spawn();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) => reject(new Error(`worker exited before ready: ${code ?? signal}`)));
    }).catch(() => undefined);
    return child;
  }

  /** SIGKILLs one running worker; it is respawned. Returns its pid. */
  killOne(): number | undefined {
    const victim = [...this.workers][Math.floor(Math.random() * this.workers.size)];
    victim?.kill('SIGKILL');
    return victim?.pid;
  }

  /** SIGTERM to every worker (graceful stop); resolves when all have exited. */
  async stopAll(): Promise<void> {
    this.#respawn = false;
    await Promise.all(
      [...this.workers].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
