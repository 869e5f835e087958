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
  sample(): Promise<ServerSample>;
  close(): Promise<void>;
}
