/** What the PostgreSQL store declares to the processors and the conformance suite. */
import type { StoreFeatures, StoreTuning } from '../../store/port.js';

export const POSTGRES_FEATURES: StoreFeatures = Object.freeze({ multiProcess: true, orderingKeys: true });

/**
 * Each claim and each batch of outcomes is a round trip and a commit (a WAL flush under
 * `synchronous_commit = on`): bigger batches spread both over more rows, and nothing else
 * waits while one runs (docs/postgres.md, "Batch size"); and every claim a whole batch
 * (`wholeBatches`: docs/postgres.md, "Whole batches from the local queue").
 */
export const POSTGRES_TUNING: StoreTuning = Object.freeze({ batchSize: 256, wholeBatches: true });
