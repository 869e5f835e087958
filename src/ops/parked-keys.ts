/**
 * Operator view of parked ordering keys, shared by the CLI and the console: list them, and
 * skip a head. Re-driving a head is the ordinary re-drive (ops/actions.ts). The checks and
 * the atomic change are the store's (listParkedKeys, skipParkedHead); this only fills in
 * the operator's name, checked like a re-drive's.
 */
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from '../core/identifiers.js';
import type { Table } from '../core/message-type.js';
import type { EventStore, ParkedKeysPage, ParkedKeysRequest } from '../store/port.js';

export function listParkedKeys(store: EventStore, request: ParkedKeysRequest): Promise<ParkedKeysPage> {
  return store.listParkedKeys(request);
}

/** Skips one parked head; false when the row is not one (nothing changed). */
export function skipParkedHead(
  store: EventStore,
  row: { readonly table: Table; readonly messageType: string; readonly eventId: string },
  by: string,
): Promise<boolean> {
  const updatedBy = checkIdentifier('skip: by', by, IDENTIFIER_MAX_LENGTH.createdBy);
  return store.skipParkedHead({ table: row.table, messageType: row.messageType, eventId: row.eventId, updatedBy });
}
