import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageType } from '../core/message-type.js';
import { formatIssues } from '../core/standard-schema.js';

/** Runs a message type's schema on a payload: the validated output, or EY_PAYLOAD_INVALID. */
export async function validatePayload<P>(type: MessageType<string, P>, value: unknown): Promise<P> {
  let result = type.schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues !== undefined) {
    throw new EventyardError(
      ErrorCode.PAYLOAD_INVALID,
      `payload does not match the schema of ${type.name}: ${formatIssues(result.issues)}`,
      { details: { messageType: type.name, issues: result.issues } },
    );
  }
  return result.value;
}
