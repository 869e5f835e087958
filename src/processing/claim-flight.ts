/**
 * The claims a processor has on their way (its `claimsInFlight` poll loops, processor.ts):
 * the rows they asked for, which are not free for another claim, and whether a backlog
 * lasts. The lead loop claims whenever there is room; an extra loop claims beside it only
 * while another claim is on its way, the last claim that answered came back full, and a
 * whole batch fits, so that an idle table, slow handlers or a short queue see one claim at
 * a time, as with one loop.
 */
import { Signal } from './timing.js';

export class ClaimFlight {
  /** Rows asked for by claims still on their way (each asks for at least one). */
  #rows = 0;
  /** The last claim that answered brought back every row it asked for. */
  #lastFull = false;
  readonly #moved = new Signal();

  /** Rows asked for by the claims on their way. */
  get rows(): number {
    return this.#rows;
  }

  /** Whether an extra loop may claim `free` rows (at most `batchSize`) now. */
  mayClaimAlongside(free: number, batchSize: number): boolean {
    return this.#rows > 0 && this.#lastFull && free >= batchSize;
  }

  sent(rows: number): void {
    this.#rows += rows;
    this.#moved.fire();
  }

  /** The claim of `rows` answered; `full`: with every row it asked for (false: it failed or came back short). */
  answered(rows: number, full: boolean): void {
    this.#rows -= rows;
    this.#lastFull = full;
    this.#moved.fire();
  }

  /** Resolves at the next claim sent or answered. */
  moved(): Promise<void> {
    return this.#moved.wait();
  }
}
