import './formats.js';
import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { AppError } from '../errors/index.js';
import { newId } from '../ids/index.js';
import { type Actor, AnyEnvelope } from './envelope.js';
import { catalogue } from './registry.js';

export { DicomIndex } from './catalogue/file.processed.v1.js';
export { Actor, AnyEnvelope, Role } from './envelope.js';
export { catalogue } from './registry.js';

type Entry = (typeof catalogue)[number];
export type EventType = Entry['type'];
/** Data of each event type (all its versions). A map, so `EventData<T>` is covariant in T. */
type EventDataMap = { [K in EventType]: Static<Extract<Entry, { type: K }>['schema']> };
export type EventData<T extends EventType> = EventDataMap[T];

/**
 * One event. `Envelope<'file.uploaded'>` is an `Envelope` (T is covariant): typed events pass to
 * `publish`, outboxes and arrays of envelopes without casts.
 */
export interface Envelope<out T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  correlationId: string;
  source: string;
  actor?: Actor;
  data: EventData<T>;
}

const envelopeCheck = TypeCompiler.Compile(AnyEnvelope);
const checks = new Map<string, TypeCheck<TSchema>>();
for (const e of catalogue) checks.set(`${e.type}@${e.version}`, TypeCompiler.Compile(e.schema as TSchema));

export const eventTypes: readonly EventType[] = [...new Set(catalogue.map((e) => e.type))];

function latestVersion(type: string): number {
  return Math.max(...catalogue.filter((e) => e.type === type).map((e) => e.version));
}

function firstError(check: TypeCheck<TSchema>, value: unknown): string {
  const e = check.Errors(value).First();
  return e ? `${e.path || '/'}: ${e.message}` : 'invalid';
}

export interface EventContext {
  correlationId: string;
  source: string;
  actor?: Actor;
  /** Fixed ids/clock for tests and for deriving ids deterministically (e.g. outbox replays). */
  id?: string;
  now?: Date;
}

/** Builds an envelope and validates its data against the catalogue: a bad event never leaves. */
export function createEvent<T extends EventType>(type: T, data: EventData<T>, ctx: EventContext): Envelope<T> {
  const version = latestVersion(type);
  const check = checks.get(`${type}@${version}`);
  if (!check) throw new AppError('INTERNAL', `Unknown event type ${type}`);
  if (!check.Check(data)) {
    throw new AppError('INTERNAL', `Event ${type} v${version} has invalid data: ${firstError(check, data)}`);
  }
  const env = {
    id: ctx.id ?? newId('event'),
    type,
    version,
    occurredAt: (ctx.now ?? new Date()).toISOString(),
    correlationId: ctx.correlationId,
    source: ctx.source,
    data,
  } as Envelope<T>;
  if (ctx.actor) env.actor = ctx.actor;
  return env;
}

/**
 * Validates an incoming event: envelope first, then the data schema of its (type, version).
 * Throws a non-retryable POISON_MESSAGE error: redelivery cannot fix a malformed event.
 */
export function parseEvent(raw: unknown): Envelope {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AppError('POISON_MESSAGE', 'Event body is not JSON');
    }
  }
  if (!envelopeCheck.Check(value)) {
    throw new AppError('POISON_MESSAGE', `Invalid envelope: ${firstError(envelopeCheck, value)}`);
  }
  const check = checks.get(`${value.type}@${value.version}`);
  if (!check) throw new AppError('POISON_MESSAGE', `Unknown event ${value.type} v${value.version}`);
  if (!check.Check(value.data)) {
    throw new AppError('POISON_MESSAGE', `Invalid ${value.type} data: ${firstError(check, value.data)}`);
  }
  return value as Envelope;
}

export function isEventType(t: string): t is EventType {
  return (eventTypes as readonly string[]).includes(t);
}
