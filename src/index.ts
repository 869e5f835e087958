export * from './core/errors.js';
export * from './core/status.js';
export * from './core/clock.js';
export * from './core/message-type.js';
export * from './core/retry-policy.js';
export * from './core/payload.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export type * from './store/port.js';
