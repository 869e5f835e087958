/**
 * Counts client → Redis requests made by this process: one per command sent on its own,
 * one per pipeline (or MULTI/EXEC block) however many commands it carries. Server-side
 * INFO commandstats cannot tell these apart (it also counts every command a Lua script
 * runs), so the suite reports both. Works for every ioredis client in the process:
 * Eventyard's Redis store and BullMQ share the one ioredis installation.
 */
import { Redis } from 'ioredis';

type SendCommand = (this: Redis, command: unknown, stream?: unknown, node?: unknown) => unknown;

let requests = 0;
let installed = false;
const ignored = new WeakSet<Redis>();
const pipelinesSeen = new WeakSet<object>();

export function installRoundTripCounter(): void {
  if (installed) return;
  installed = true;
  const proto = Redis.prototype as unknown as { sendCommand: SendCommand };
  const original = proto.sendCommand;
  proto.sendCommand = function (this: Redis, command, stream, node) {
    if (!ignored.has(this)) {
      const isPipeline =
        typeof stream === 'object' && stream !== null && (stream as { isPipeline?: boolean }).isPipeline === true;
      if (!isPipeline) requests++;
      else if (!pipelinesSeen.has(stream)) {
        pipelinesSeen.add(stream);
        requests++;
      }
    }
    return original.call(this, command, stream, node);
  };
}

/** Requests of this client (the suite's own INFO probe) are not counted. */
export function ignoreClient(client: Redis): void {
  ignored.add(client);
}

export function roundTrips(): number {
  return requests;
}
