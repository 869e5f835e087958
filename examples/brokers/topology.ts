/**
 * The example's topics: upstream orders come in on `<run>-orders` (group `<run>-service-a`,
 * service A's inbound); postings go out on `<run>-postings` (group `<run>-downstream`, the
 * downstream consumer). Names carry a run id so runs never share state.
 */
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { Header, type Broker, type OutgoingMessage } from '../../src/index.js';
import { Order } from '../abc/flow.js';

export interface Topology {
  readonly orders: string;
  readonly serviceA: string;
  readonly postings: string;
  readonly downstream: string;
}

export function topologyFor(run: string): Topology {
  return {
    orders: `${run}-orders`,
    serviceA: `${run}-service-a`,
    postings: `${run}-postings`,
    downstream: `${run}-downstream`,
  };
}

/** Declares both topics with their groups (RabbitMQ needs the queues before anyone publishes). */
export async function declareTopology(broker: Broker, topology: Topology): Promise<void> {
  await broker.declare({ topic: topology.orders, groups: [topology.serviceA] });
  await broker.declare({ topic: topology.postings, groups: [topology.downstream] });
}

/** What the downstream system receives: the order and C's posting. */
export const Posting = z.object({ order: Order, fee: z.number(), net: z.number() });

/** Upstream orders: `{ seq, ... }` bodies keyed by customer, each with its own EVENT_ID header. */
export function upstreamOrders(from: number, count: number): OutgoingMessage[] {
  const currencies = ['EUR', 'USD', 'GBP'] as const;
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    const order = {
      orderId: `order-${seq}`,
      customer: `customer-${seq % 17}`,
      amount: 10 + (seq % 90),
      currency: currencies[seq % 3] ?? 'EUR',
    };
    return {
      key: order.customer,
      headers: { [Header.EVENT_ID]: randomUUID() },
      body: Buffer.from(JSON.stringify(order)),
    };
  });
}
