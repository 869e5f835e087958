/**
 * Moves IN_REJECTED rows to FAILED, through the ordinary claim and fail of the store port
 * (UNPROCESSED → IN_PROGRESS → FAILED), with the reason as LAST_ERROR. A row an operator
 * re-drove (it has a LAST_ERROR already) is first mapped again with today's message
 * types: if it passes now, the row completes and emits the message it was meant to be.
 */
import { describeError } from '../../core/errors.js';
import { Table } from '../../core/message-type.js';
import { parseJson } from '../../core/payload.js';
import type { Logger } from '../../processing/logger.js';
import type { ClaimedMessage, EventStore } from '../../store/port.js';
import { mapInbound, messageOfEnvelope, type InboundMapping } from './mapping.js';
import { isRejectedEnvelope, REJECTED_TYPE } from './rejected.js';

const SWEEP_BATCH = 100;
const SWEEP_LEASE_MS = 30_000;

export interface SweepResult {
  failed: number;
  recovered: number;
  leaseLost: number;
}

export class RejectedSweeper {
  constructor(
    private readonly store: EventStore,
    private readonly mapping: InboundMapping,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Handles every claimable IN_REJECTED row. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { failed: 0, recovered: 0, leaseLost: 0 };
    for (;;) {
      const claimed = await this.store.claim({
        table: Table.INBOUND,
        messageTypes: [REJECTED_TYPE],
        limit: SWEEP_BATCH,
        owner: this.owner,
        updatedBy: this.mapping.serviceName,
        leaseMs: SWEEP_LEASE_MS,
      });
      for (const row of claimed) await this.#settle(row, result);
      if (claimed.length < SWEEP_BATCH) return result;
    }
  }

  async #settle(row: ClaimedMessage, result: SweepResult): Promise<void> {
    const updatedBy = this.mapping.serviceName;
    let reason = 'EY_INBOUND_UNMAPPABLE: the IN_REJECTED row has no readable envelope';
    try {
      const envelope = row.payload === null ? undefined : parseJson(row.payload);
      if (isRejectedEnvelope(envelope)) {
        reason = `${envelope.reason} [${envelope.broker} ${envelope.topic} ${envelope.id}; raw message in the payload]`;
        const message = row.lastError === null ? undefined : messageOfEnvelope(envelope);
        if (message !== undefined) {
          const mapped = await mapInbound(message, {
            ...this.mapping,
            messageType: envelope.intendedType ?? this.mapping.messageType,
          });
          if (mapped.kind === 'message') {
            const [outcome] = await this.store.complete([
              { ref: row, updatedBy, emits: [mapped.row], workingData: [] },
            ]);
            if (outcome === 'ok') result.recovered++;
            else result.leaseLost++;
            return;
          }
          reason = `${mapped.reason} [re-driven; ${envelope.broker} ${envelope.topic} ${envelope.id}]`;
        }
      }
    } catch (error) {
      reason = describeError(error instanceof Error ? error : new Error(String(error)));
    }
    const [outcome] = await this.store.fail([{ ref: row, updatedBy, error: reason, retryDelayMs: null }]);
    if (outcome === 'ok') result.failed++;
    else result.leaseLost++;
    this.logger.debug({ eventId: row.eventId, reason }, 'inbound message rejected');
  }
}
