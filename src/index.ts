export * from './core/errors.js';
export * from './core/status.js';
export * from './core/clock.js';
export * from './core/message-type.js';
export * from './core/retry-policy.js';
export * from './core/payload.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export type * from './store/port.js';
export * from './app.js';
export type { Handler, HandlerContext, MessageInfo, WorkingData } from './processing/handler-context.js';
export type { Logger } from './processing/logger.js';
export { jsonLogger, silentLogger } from './processing/logger.js';
export type { MessageOptions } from './processing/message-builder.js';
export { Service, type ServiceOptions, type ServiceHealth } from './processing/service.js';
export type { ProcessorOptions } from './processing/processor-options.js';
export type { ProcessorStats } from './processing/processor.js';
export { RetryMechanism, type RetryMechanismOptions } from './processing/retry-mechanism.js';
export * from './transports/index.js';
export {
  probeHealth,
  createHealthHandler,
  type HealthReport,
  type HealthProbeOptions,
  type HealthHandlerOptions,
} from './processing/health-probe.js';
