/** What a window reads from the run's server: Redis (INFO) or PostgreSQL (/proc, pg_stat_*). */
export interface ServerSample {
  readonly cpuSeconds: number;
  /** Calls per command name (Redis INFO commandstats), or PostgreSQL's `xact_commit`. */
  readonly commands: ReadonlyMap<string, number>;
  /** WAL bytes written so far (PostgreSQL's pg_stat_wal); absent for Redis. */
  readonly walBytes?: number | undefined;
}

export interface ServerProbe {
  readonly kind: 'redis' | 'postgres';
  /**
   * Brings the server to the same state before every window, whatever came before it (a
   * preload, an earlier phase). Redis: its append-only file is rewritten and the rewrite
   * waited for (redis-server.ts, settleAppendOnlyFile).
   */
  settle?(): Promise<void>;
  sample(): Promise<ServerSample>;
  close(): Promise<void>;
}
