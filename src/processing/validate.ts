import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageType } from '../core/message-type.js';
import { formatIssues, type StandardSchemaV1 } from '../core/standard-schema.js';

/** Runs a message type's schema on a payload: the validated output, or EY_PAYLOAD_INVALID. */
export async function validatePayload<P>(type: MessageType<string, P>, value: unknown): Promise<P> {
  return checkPayload(type, value);
}

/**
 * {@link validatePayload} without a promise when the schema answers synchronously (most
 * do): the validated output, or EY_PAYLOAD_INVALID thrown; a promise of either otherwise.
 */
export function checkPayload<P>(type: MessageType<string, P>, value: unknown): P | Promise<P> {
  const result = type.schema['~standard'].validate(value);
  return result instanceof Promise ? result.then((r) => outputOf(type, r)) : outputOf(type, result);
}

function outputOf<P>(type: MessageType<string, P>, result: StandardSchemaV1.Result<P>): P {
  if (result.issues !== undefined) {
    throw new EventyardError(
      ErrorCode.PAYLOAD_INVALID,
      `payload does not match the schema of ${type.name}: ${formatIssues(result.issues)}`,
      { details: { messageType: type.name, issues: result.issues } },
    );
  }
  return result.value;
}
