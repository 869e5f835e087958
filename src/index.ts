/**
 * The front door: what a user of the framework calls or types. The list is explicit (a
 * test pins it), so adding a name is a deliberate, reviewed change. Helpers for people who
 * write stores or brokers live in `eventyard/store`; stores, brokers and test kits in
 * their own subpaths.
 */

// The application and its message types
export { createEventyard } from './app.js';
export type { Eventyard, EventyardOptions, PublishOptions } from './app.js';
export type { PublishAt } from './processing/publish-at.js';
export { defineMessageType, Table } from './core/message-type.js';
export type {
  DeclaredName,
  MessageRegistry,
  MessageType,
  MessageTypeDeclaration,
  NameOf,
  PayloadArg,
  PayloadOf,
  TypeArg,
} from './core/message-type.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export type { RetryPolicy, RetryPolicyOptions } from './core/retry-policy.js';
export type { ReplyTimeout, ReplyTimeoutDeclaration } from './core/reply-timeout.js';
export type { RateLimit, RateLimitDeclaration } from './core/rate-limit.js';
export type { GroupDeclaration, GroupPolicy } from './core/group.js';
export type { Clock, IdGenerator } from './core/clock.js';

// Services and handlers
export type { Service, ServiceOptions, ServiceHealth } from './processing/service.js';
export type { ProcessorOptions } from './processing/processor-options.js';
export type { ProcessorStats } from './processing/outcome-report.js';
export type { RetryMechanism, RetryMechanismOptions, RetryMechanismStats } from './processing/retry-mechanism.js';
export type { FollowUpFits, Handler, HandlerContext, MessageInfo, WorkingData } from './processing/handler-context.js';
export type { MessageOptions } from './processing/message-builder.js';
export type { IdleOptions } from './processing/idle.js';
export type { ScheduleFiring, ScheduleOptions } from './processing/schedule.js';

// What happened: hooks and logs
export type { AttemptTiming, HookEvents, HookListener, HookMessage, HookName, Observable } from './processing/hooks.js';
export { jsonLogger, silentLogger } from './processing/logger.js';
export type { Logger } from './processing/logger.js';

// Errors and statuses
export { ErrorCode, EventyardError, NonRetryableError, isEventyardError } from './core/errors.js';
export { Status } from './core/status.js';

// What the store returns to the operator's calls (list, countByStatus, publish, parkedKeys)
export type {
  EventStore,
  ListPage,
  ListRequest,
  MessageRow,
  ParkedKey,
  ParkedKeysPage,
  PublishResult,
  RowFilter,
  StatusCount,
  StoreFeatures,
} from './store/port.js';

// Brokers: the processors between the store and a message broker (adapters are subpaths)
export {
  createInboundProcessor,
  createOutboundProcessor,
  Header,
  inboundRejectedType,
  REJECTED_TYPE,
} from './transports/index.js';
export type {
  Broker,
  BrokerConsumer,
  BrokerFeatures,
  BrokerMessage,
  BrokerProducer,
  InboundApp,
  InboundOptions,
  InboundProcessor,
  InboundStats,
  OutboundOptions,
  OutboundProcessor,
  OutboundRoute,
  OutboundRow,
  OutboundStats,
  OutgoingMessage,
  ReceiveOptions,
  RejectedEnvelope,
  TopologyRequest,
} from './transports/index.js';

// Operations: liveness and readiness probes over Service.health()
export { probeHealth, createHealthHandler } from './processing/health-probe.js';
export type { HealthReport, HealthProbeOptions, HealthHandlerOptions } from './processing/health-probe.js';

// Traces: the tracer port an app takes (`eventyard/tracing` builds one on OpenTelemetry)
export type { AttemptSpan, BrokerHop, MessageTracer, TraceSpan } from './processing/tracing.js';
