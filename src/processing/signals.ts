/**
 * SIGINT/SIGTERM for services: one process listener for all running services. On the
 * first signal every service stops gracefully, then the signal is raised again with the
 * default action, so the process ends as the sender expects (exit by signal). A second
 * signal while stopping exits at once.
 */
type Stoppable = { stop(): Promise<void> };

const running = new Set<Stoppable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let stopping = false;

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    process.exit(130);
  }
  stopping = true;
  void Promise.allSettled([...running].map((s) => s.stop())).then(() => {
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    process.kill(process.pid, signal);
  });
}

export function watchSignals(service: Stoppable): void {
  if (running.size === 0) for (const sig of SIGNALS) process.on(sig, onSignal);
  running.add(service);
}

export function unwatchSignals(service: Stoppable): void {
  running.delete(service);
  if (running.size === 0 && !stopping) for (const sig of SIGNALS) process.removeListener(sig, onSignal);
}
