/**
 * W5's shape: the example's A → B → C → outbound flow. Eventyard runs the example's own
 * services (examples/abc/flow.ts); each peer chains four queues the way its users would
 * (a handler adds the next stage's job, then completes), carrying what Eventyard keeps as
 * working data in the job's data instead.
 */
import type { Order } from '../../examples/abc/flow.js';
import type { Settings, StoreCounts, SystemName } from './types.js';

export interface FlowInput {
  readonly seq: number;
  readonly order: Order;
}

export interface PipelineSpec {
  /** Concurrency of each stage's workers. */
  readonly concurrency: number;
  /** The last stage's handler ran for this flow. */
  onDelivered(seq: number): void;
  /** The store recorded the last stage COMPLETED for this flow. */
  onFlowCompleted(seq: number): void;
}

export interface PipelineSystem {
  readonly name: SystemName;
  readonly settings: Settings;
  /** Feeds the first stage, in one call per batch. */
  feed(batch: readonly FlowInput[]): Promise<void>;
  start(spec: PipelineSpec): Promise<void>;
  stop(): Promise<void>;
  /** Flows whose last stage the store confirmed COMPLETED, seen by this process. */
  flowsCompletedSoFar(): number;
  /** Counts of every stage together, from the store. */
  counts(): Promise<StoreCounts>;
  /** Last-stage COMPLETED count, from the store. */
  finalCompleted(): Promise<number>;
  close(): Promise<void>;
}

export const STAGES = ['A', 'B', 'C', 'OUT'] as const;

export function makeOrders(count: number): FlowInput[] {
  const currencies = ['EUR', 'USD', 'GBP'] as const;
  return Array.from({ length: count }, (_, seq) => ({
    seq,
    order: {
      orderId: `ORD-${String(seq).padStart(7, '0')}`,
      customer: `customer-${seq % 97}`,
      amount: 10 + ((seq * 37) % 990),
      currency: currencies[seq % 3] ?? 'EUR',
    },
  }));
}

/** What stage B computes in the example (the fee); C and OUT use it. */
export const feeOf = (order: Order): number => Math.round(order.amount * 0.015 * 100) / 100;
