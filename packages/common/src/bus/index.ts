export {
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
} from './consumer.js';
export { type IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore } from './idempotency.js';
export { createOutboxRelay, type OutboxRelay, type OutboxSource, relayPasses } from './outbox-relay.js';
export { type EventPublisher, MemoryEventPublisher, SnsEventPublisher } from './publisher.js';
export {
  isMoveTaskActive,
  listMoveTasks,
  type MoveTask,
  type RedriveOptions,
  type RedriveResult,
  redriveDeadLetters,
  startMoveTask,
} from './redrive.js';
