/**
 * Planner statistics that keep up with the tables. The hot statements run with generic
 * plans, made once per connection (connection.ts), and PostgreSQL makes a generic plan from
 * the statistics the table has at that moment. A store whose tables were nearly empty then
 * (a new schema; a drained queue at its last ANALYZE) keeps plans made for a few rows while
 * the tables grow by tens of thousands: the working-data read scanned the whole table for
 * every batch, a claim found its rows by a sequential scan, a completion walked every row in
 * progress for each row it completed. Autovacuum's next ANALYZE ends that (it invalidates
 * every cached plan of the table), but it looks at most once a minute by default, and a
 * burst grows a table tenfold in seconds.
 *
 * So the store counts the rows it writes (messages, emits, working data) and, every
 * {@link CHECK_ROWS} of them, reads how many rows the planner believes the messages table
 * holds (`pg_class.reltuples`). Once the store has written at least that many since its own
 * last ANALYZE (so the statistics describe at most half of what is there), it analyzes its
 * tables, in the background, one ANALYZE at a time. A growing table is analyzed about once
 * per doubling; one at a steady size, at most once per table-size of writes (autovacuum's
 * own threshold is a tenth of that). Failures (a lock timeout, a role that may not analyze,
 * a server restart) are only counted: the next check tries again.
 */

/** Rows written between two looks at the statistics, and the fewest rows that call for an ANALYZE. */
export const CHECK_ROWS = 2000;

export interface PlannerStatisticsDeps {
  /** What the planner believes the messages table holds (`reltuples`; -1 when never analyzed). */
  readonly plannedRows: () => Promise<number>;
  /** ANALYZE of the store's tables. */
  readonly analyze: () => Promise<void>;
}

export class PlannerStatistics {
  #sinceCheck = 0;
  #sinceAnalyze = 0;
  #running: Promise<void> | undefined;
  #closed = false;
  /** ANALYZE runs, and checks that failed, since the store opened (for tests and health). */
  readonly stats = { analyzes: 0, failures: 0 };

  constructor(private readonly deps: PlannerStatisticsDeps) {}

  /** `rows` rows were written to the store's tables. */
  wrote(rows: number): void {
    if (rows <= 0 || this.#closed) return;
    this.#sinceCheck += rows;
    this.#sinceAnalyze += rows;
    if (this.#sinceCheck < CHECK_ROWS || this.#running !== undefined) return;
    this.#sinceCheck = 0;
    this.#running = this.#check().finally(() => (this.#running = undefined));
  }

  async #check(): Promise<void> {
    try {
      const planned = await this.deps.plannedRows();
      if (this.#closed || this.#sinceAnalyze < Math.max(planned, CHECK_ROWS)) return;
      // Rows written while it runs count towards the next one.
      this.#sinceAnalyze = 0;
      await this.deps.analyze();
      this.stats.analyzes++;
    } catch {
      this.stats.failures++;
    }
  }

  /** Waits for a running check; none starts after this. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
