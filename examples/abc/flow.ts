/**
 * The seed's example flow: an upstream source feeds service A (IN_ORDER); A requests B
 * (RQ_B_STP); B requests C (RQ_C_POST); C writes an outbound message (OUT_POSTED) that the
 * outbound relay delivers downstream. B fails transiently now and then, so the retry path
 * (ERROR → RETRY → COMPLETED) shows in the final table.
 *
 * One customer's orders keep their order end to end: every message of an order carries the
 * customer as its ORDERING_KEY (published with it, passed on by each emit), so each stage
 * handles one customer's messages one at a time, in the order they were written, and a
 * retried message holds back only its own customer's later orders. The relay therefore
 * delivers each customer's orders in the order the source sent them.
 */
import { z } from 'zod';
import { defineMessageType, type Eventyard, type Service, type ServiceOptions } from '../../src/index.js';

export const Order = z.object({
  orderId: z.string().min(1),
  customer: z.string().min(1),
  amount: z.number().positive(),
  currency: z.enum(['EUR', 'USD', 'GBP']),
});
export type Order = z.infer<typeof Order>;

const fastRetry = { delayMs: 20, maxDelayMs: 500, maxAttempts: 6 };

export const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: Order });
export const RQ_B_STP = defineMessageType({ name: 'RQ_B_STP', schema: Order, retry: fastRetry });
export const RQ_C_POST = defineMessageType({ name: 'RQ_C_POST', schema: Order, retry: fastRetry });
export const OUT_POSTED = defineMessageType({ name: 'OUT_POSTED', schema: Order });
export const messageTypes = [IN_ORDER, RQ_B_STP, RQ_C_POST, OUT_POSTED];

export class TransientError extends Error {
  override name = 'TransientError';
}

export type ServiceKey = 'A' | 'B' | 'C' | 'OUT';
export const SERVICE_NAMES: Record<ServiceKey, string> = {
  A: 'SERVICE_A',
  B: 'SERVICE_B',
  C: 'SERVICE_C',
  OUT: 'OUTBOUND_RELAY',
};

export interface FlowOptions {
  /** Chance that one attempt of B's handler fails transiently. */
  readonly failRate: number;
  /** Called when the outbound relay delivers a posting downstream. */
  readonly deliver: (posting: { eventId: string; order: Order; fee: number }) => void;
  readonly service?: Omit<ServiceOptions, 'name'>;
}

/** The emit options that keep the handled message's ordering key on the next message. */
const sameKey = (ctx: { message: { orderingKey: string | null } }): { orderingKey: string | undefined } => ({
  orderingKey: ctx.message.orderingKey ?? undefined,
});

/** Builds one of the flow's services with its handlers. */
export function buildService(app: Eventyard, key: ServiceKey, options: FlowOptions): Service {
  const service = app.service({ concurrency: 32, ...options.service, name: SERVICE_NAMES[key] });
  switch (key) {
    case 'A':
      return service.handle(IN_ORDER, (ctx) => {
        ctx.workingData.set('a.received', { orderId: ctx.payload.orderId, at: ctx.message.createdAt });
        ctx.emit(RQ_B_STP.name, sameKey(ctx));
      });
    case 'B':
      return service.handle(RQ_B_STP, (ctx) => {
        if (Math.random() < options.failRate) throw new TransientError('pricing service briefly unavailable');
        const fee = Math.round(ctx.payload.amount * 0.015 * 100) / 100;
        ctx.workingData.set('b.fee', fee);
        ctx.emit(RQ_C_POST.name, sameKey(ctx));
      });
    case 'C':
      return service.handle(RQ_C_POST, async (ctx) => {
        const fee = await ctx.workingData.get<number>('b.fee');
        if (fee === undefined) throw new Error('B did not record a fee');
        ctx.workingData.set('c.posted', { net: Math.round((ctx.payload.amount - fee) * 100) / 100 });
        ctx.emit(OUT_POSTED.name, sameKey(ctx));
      });
    case 'OUT':
      return service.handle(OUT_POSTED, async (ctx) => {
        const fee = (await ctx.workingData.get<number>('b.fee')) ?? 0;
        options.deliver({ eventId: ctx.message.eventId, order: ctx.payload, fee });
      });
  }
}

/** The upstream source: `count` orders into A's inbound table, in batches, keyed by customer. */
export async function feedOrders(app: Eventyard, count: number, batch = 200): Promise<void> {
  const currencies = ['EUR', 'USD', 'GBP'] as const;
  for (let start = 0; start < count; start += batch) {
    const items = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const order: Order = {
        orderId: `ORD-${String(i).padStart(6, '0')}`,
        customer: `customer-${i % 97}`,
        amount: 10 + ((i * 37) % 990),
        currency: currencies[i % 3] ?? 'EUR',
      };
      items.push({ type: IN_ORDER, payload: order, options: { createdBy: 'UPSTREAM', orderingKey: order.customer } });
    }
    await app.publishMany(items);
  }
}

/**
 * Checks the relay's deliveries against the source's order: per customer, order ids must come
 * in ascending order (the source numbers them in the order it sends them). Returns the
 * customers whose deliveries came out of order.
 */
export class OrderCheck {
  private readonly last = new Map<string, string>();
  readonly outOfOrder = new Set<string>();

  record(order: Order): void {
    const previous = this.last.get(order.customer);
    if (previous !== undefined && previous > order.orderId) this.outOfOrder.add(order.customer);
    this.last.set(order.customer, order.orderId);
  }

  get customers(): number {
    return this.last.size;
  }
}
