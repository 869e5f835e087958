/**
 * Rewrites a key prefix's rows into the layout of releases before row texts (a hash per row,
 * `<base>:r:<row id>`, with the fields those releases wrote), so a test can open a current
 * store on data as an earlier release left it. Everything but the rows (indexes, counts,
 * payloads, events) was laid out the same way then, so the rest is kept as it is.
 */
import type { Redis } from 'ioredis';
import { parseRowText } from '../../src/stores/redis/codec.js';
import { layoutValues } from '../../src/stores/redis/migration.js';

/** Priority lead and key sequence: fields 13 and 14 of a row text (not in MessageRow). */
const leadAndSeq = (text: string): [string, string] => {
  const fields = text.split('\x1f');
  return [fields[12] ?? '', fields[13] ?? ''];
};

export async function downgradeToV1(admin: Redis, prefix: string, partitions: number): Promise<number> {
  let rows = 0;
  for (let p = 0; p < partitions; p++) {
    const base = `{${prefix}:${p}}`;
    const texts = await admin.hgetall(`${base}:r`);
    for (const [id, text] of Object.entries(texts)) {
      const at = id.indexOf(':');
      const row = parseRowText(id.slice(0, at), id.slice(at + 1), text);
      const [lead, seq] = leadAndSeq(text);
      if (row === undefined) throw new Error(`row ${id} does not parse: ${text}`);
      const fields: Record<string, string> = {
        t: row.table,
        s: row.status,
        cb: row.createdBy,
        ub: row.updatedBy,
        ca: String(row.createdAt),
        ua: String(row.updatedAt),
        n: String(row.attempts),
        m: String(row.maxAttempts),
        av: String(row.availableAt),
      };
      if (row.leaseOwner !== null) fields.lo = row.leaseOwner;
      if (row.claimToken !== null || row.leaseOwner !== null) {
        fields.le = row.leaseExpiresAt === null ? '' : String(row.leaseExpiresAt);
        fields.ct = row.claimToken ?? '';
      }
      if (row.lastError !== null) fields.er = row.lastError;
      if (row.orderingKey !== null) fields.ok = row.orderingKey;
      if (seq !== '') fields.kq = seq;
      if (row.traceparent !== null) fields.tp = row.traceparent;
      if (row.groupKey !== null) fields.g = row.groupKey;
      if (row.priority !== 0) fields.pr = String(row.priority);
      if (lead !== '') fields.pl = lead;
      await admin.hset(`${base}:r:${id}`, fields);
      rows++;
    }
    await admin.del(`${base}:r`);
  }
  await admin.set(`{${prefix}:layout}`, layoutValues(partitions).before);
  return rows;
}
