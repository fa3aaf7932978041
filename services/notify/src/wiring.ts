import { RevocationWatcher } from '@medvault/common/auth';
import { LiveHub } from './channels/live.js';
import { WebhookWorker } from './channels/webhooks.js';
import type { Deps } from './deps.js';
import { parseAllowList } from './domain/address-policy.js';
import { Notifier } from './notifier.js';
import { collections, ensureIndexes, MongoDirectory, MongoInbox, MongoPreferences } from './store/mongo.js';

function make(deps: Deps) {
  const c = collections(deps.db);
  const directory = new MongoDirectory(c.users);
  const inbox = new MongoInbox(c.notifications);
  const preferences = new MongoPreferences(c.preferences);
  const hub = new LiveHub(deps.redis, deps.subscriber, deps.config.LIVE_CHANNEL, deps.logger);
  // Same subscriber connection as the hub: each listens to its own channel on it.
  const revocations = new RevocationWatcher(deps.subscriber, deps.revocation, {
    onError: (err, msg) => deps.logger.warn({ err }, msg),
  });
  const now = () => deps.now();
  const allowPrivate = parseAllowList(deps.config.WEBHOOK_ALLOW_PRIVATE_HOSTS);
  const notifier = new Notifier({
    c,
    directory,
    inbox,
    preferences,
    hub,
    mailer: deps.mailer,
    baseUrl: deps.config.PUBLIC_BASE_URL,
    now,
  });
  const webhooks = new WebhookWorker({
    c,
    redis: deps.redis,
    logger: deps.logger,
    now,
    pollMs: deps.config.WEBHOOK_POLL_MS,
    timeoutMs: deps.config.WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: deps.config.WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: deps.config.WEBHOOK_BACKOFF_MAX_MS,
    maxAttempts: deps.config.WEBHOOK_MAX_ATTEMPTS,
    disableAfter: deps.config.WEBHOOK_DISABLE_AFTER,
    allowPrivate,
  });
  let indexes: Promise<void> | undefined;
  return {
    c,
    directory,
    inbox,
    preferences,
    hub,
    revocations,
    notifier,
    webhooks,
    allowPrivate,
    /** Unique indexes must exist before the first notification (they are the idempotency). */
    ready: () => {
      indexes ??= ensureIndexes(c).catch((err) => {
        indexes = undefined;
        throw err;
      });
      return indexes;
    },
  };
}

const cache = new WeakMap<Deps, ReturnType<typeof make>>();

/** Wires the notify components once per deps (app, consumer and worker share them). */
export function wire(deps: Deps) {
  let w = cache.get(deps);
  if (!w) {
    w = make(deps);
    cache.set(deps, w);
  }
  return w;
}
