/**
 * Time-ordered UUIDs (RFC 9562 version 7: 48-bit millisecond time, then random bits), for
 * the variant cases that measure what ordered event ids would save the SQLite store: new
 * ids land at the right edge of the id indexes instead of at random pages.
 */
import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../src/core/clock.js';

export const uuidV7: IdGenerator = {
  next(): string {
    const bytes = randomBytes(16);
    const now = Date.now();
    bytes.writeUIntBE(now, 0, 6);
    bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
    bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
