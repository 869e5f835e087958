/** Reads a worker start log (`pid eventId attempt` per line) for exact accounting. */
import { existsSync, readFileSync } from 'node:fs';

export interface Start {
  readonly pid: number;
  readonly eventId: string;
  readonly attempt: number;
}

export function readStarts(path: string): Start[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [pid, eventId, attempt] = line.split(' ');
      return { pid: Number(pid), eventId: eventId ?? '', attempt: Number(attempt) };
    });
}

export function groupByEvent(starts: readonly Start[]): Map<string, Start[]> {
  const map = new Map<string, Start[]>();
  for (const start of starts) map.set(start.eventId, [...(map.get(start.eventId) ?? []), start]);
  return map;
}
