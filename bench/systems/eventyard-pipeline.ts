/**
 * W5 on Eventyard: the example's four services (examples/abc/flow.ts, fail rate 0) in one
 * process, sharing one store. The example's message types carry zod schemas, so schema
 * validation is part of these figures (the peers validate nothing).
 */
import { buildService, messageTypes, OUT_POSTED, IN_ORDER, type ServiceKey } from '../../examples/abc/flow.js';
import { createEventyard, silentLogger, type Service } from '../../src/index.js';
import { uuidV7Generator } from '../../src/store/index.js';
import { createEventyardStore } from './eventyard-stores.js';
import { observeCompletions } from './eventyard.js';
import { STAGES, type PipelineSpec, type PipelineSystem } from './pipeline-types.js';
import type { StoreCounts, SystemOptions } from './types.js';

export async function createEventyardPipeline(options: SystemOptions): Promise<PipelineSystem> {
  const { store, name, settings } = await createEventyardStore(options);
  const seqOf = new Map<string, number>();
  let flowsCompleted = 0;
  let onFlowCompleted: ((seq: number) => void) | undefined;
  const observed = observeCompletions(store, (ref) => {
    if (ref.messageType !== OUT_POSTED.name) return;
    flowsCompleted++;
    const seq = seqOf.get(ref.eventId);
    if (seq !== undefined) onFlowCompleted?.(seq);
  });
  const app = createEventyard({ store: observed, messageTypes, logger: silentLogger });
  let services: Service[] = [];
  const count = async (messageType?: string): Promise<StoreCounts> => {
    const rows = await app.countByStatus(messageType ? { messageType } : {});
    const n = (...statuses: string[]): number =>
      rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + r.count, 0);
    return {
      pending: n('UNPROCESSED', 'RETRY'),
      active: n('IN_PROGRESS'),
      completed: n('COMPLETED'),
      retrying: n('ERROR'),
      failed: n('FAILED'),
    };
  };

  return {
    name,
    settings: {
      ...settings,
      services: "the example's SERVICE_A, SERVICE_B, SERVICE_C, OUTBOUND_RELAY in one process",
      'payload schema': "zod (the example's Order)",
      'working data': 'a.received, b.fee, c.posted written; b.fee read by C and OUT',
    },
    async feed(batch) {
      // Fresh ids chosen here (never reused), so each flow's id is known before it runs; from
      // the app's default generator (time-ordered UUIDv7), the ids app.publish would pick.
      const items = batch.map((f) => {
        const eventId = uuidV7Generator.next();
        seqOf.set(eventId, f.seq);
        return { type: IN_ORDER, payload: f.order, options: { createdBy: 'UPSTREAM', eventId } };
      });
      await app.publishMany(items);
    },
    async start(spec: PipelineSpec) {
      onFlowCompleted = (seq) => spec.onFlowCompleted(seq);
      const deliver = ({ eventId }: { eventId: string }): void => {
        const seq = seqOf.get(eventId);
        if (seq !== undefined) spec.onDelivered(seq);
      };
      services = STAGES.map((key: ServiceKey) =>
        buildService(app, key, { failRate: 0, deliver, service: { concurrency: spec.concurrency } }).start(),
      );
    },
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      services = [];
    },
    flowsCompletedSoFar: () => flowsCompleted,
    counts: () => count(),
    finalCompleted: async () => (await count(OUT_POSTED.name)).completed,
    close: () => app.close(),
  };
}
