/**
 * CPU profile of the measured window only (not start-up, not preloading), through the
 * inspector protocol, written as a .cpuprofile that Chrome DevTools or
 * `tsx bench/profile-top.ts` reads.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export class WindowProfiler {
  #session: Session | undefined;

  constructor(private readonly file: string) {}

  async start(): Promise<void> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    this.#session = session;
  }

  async stop(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(this.file, JSON.stringify(profile));
  }
}
