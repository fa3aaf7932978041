# One-off generator of the service skeletons (kept for new services; edit the output freely).
import json, os, sys
SERVICES = {
  'gateway':      dict(port=8080, mongo=True,  redis=True, sns=True, sqs=True,  s3=[], kms=None, desc='Public API: authentication, RBAC, routing to internal services'),
  'files':        dict(port=8081, mongo=True,  redis=True, sns=True, sqs=True,  s3=['QUARANTINE','CLEAN','DERIVATIVES'], kms='DATA', desc='Encrypted file storage, links, sharing, trash'),
  'scanner':      dict(port=8082, mongo=True,  redis=True, sns=True, sqs=True,  s3=['QUARANTINE'], kms='DATA', desc='ClamAV scanning of every uploaded file'),
  'watermark':    dict(port=8083, mongo=False, redis=True, sns=True, sqs=True,  s3=['CLEAN','DERIVATIVES'], kms='DATA', desc='Hash verification and watermarked image renditions'),
  'appointments': dict(port=8084, mongo=True,  redis=True, sns=True, sqs=False, s3=[], kms=None, desc='Appointment booking without double-booking'),
  'notify':       dict(port=8085, mongo=True,  redis=True, sns=False, sqs=True, s3=[], kms=None, desc='Notifications: inbox, live stream, email, webhooks'),
  'audit':        dict(port=8086, mongo=True,  redis=True, sns=False, sqs=True, s3=['AUDIT'], kms='AUDIT_SIGNING', desc='Append-only, hash-chained, signed audit log'),
}
only = sys.argv[1:] or list(SERVICES)
def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and '--force' not in sys.argv: return
    open(path, 'w').write(text.lstrip('\n'))
for name in only:
    s = SERVICES[name]; up = name.upper(); d = f'services/{name}'
    deps = {"@medvault/common": "*", "@sinclair/typebox": "^0.34.52", "fastify": "^5.12.8", "pino": "^10.4.0"}
    if s['mongo']: deps['mongodb'] = '^6.20.0'
    if s['redis']: deps['ioredis'] = '^5.8.0'
    if s['s3']: deps['@aws-sdk/client-s3'] = '^3.1164.0'
    if s['kms']: deps['@aws-sdk/client-kms'] = '^3.1164.0'
    if s['sns']: deps['@aws-sdk/client-sns'] = '^3.1164.0'
    if s['sqs']: deps['@aws-sdk/client-sqs'] = '^3.1164.0'
    pkg = {"name": f"@medvault/{name}", "version": "0.1.0", "private": True, "type": "module", "description": s['desc'],
           "scripts": {"start": "node --conditions=source --import tsx src/main.ts", "build": "tsc -p tsconfig.build.json", "typecheck": "tsc -p tsconfig.json --noEmit"},
           "dependencies": dict(sorted(deps.items()))}
    w(f'{d}/package.json', json.dumps(pkg, indent=2) + '\n')
    w(f'{d}/tsconfig.json', '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "rootDir": ".", "outDir": "dist", "noEmit": true }, "include": ["src", "test"] }\n')
    w(f'{d}/tsconfig.build.json', '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "rootDir": "src", "outDir": "dist" }, "include": ["src"], "exclude": ["src/**/*.test.ts"] }\n')
    cfg = [f"  {up}_PORT: ConfigFields.port({s['port']}),", "  HOST: Type.String({ default: '127.0.0.1' }),",
           "  NODE_ENV: ConfigFields.nodeEnv,", "  LOG_LEVEL: ConfigFields.logLevel,"]
    if s['mongo']: cfg += ["  MONGO_URL: ConfigFields.url(),", "  /** Each service owns its database; tests point this at a scratch one. */", f"  MONGO_DB: Type.String({{ minLength: 1, default: 'medvault_{name}' }}),"]
    if s['redis']: cfg.append("  REDIS_URL: ConfigFields.url(),")
    if s['sns']: cfg.append("  EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }),")
    if s['sqs']:
        cfg.append("  QUEUE_URL_BASE: ConfigFields.url(),")
        cfg.append(f"  {up}_QUEUE_NAME: Type.String({{ default: 'medvault-{name}' }}),")
    for b in s['s3']: cfg.append(f"  BUCKET_{b}: ConfigFields.nonEmpty(),")
    if s['kms']: cfg.append(f"  KMS_{s['kms']}_KEY_ID: ConfigFields.nonEmpty(),")
    cfg += ["  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),",
            "  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),",
            "  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),",
            "  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),"]
    w(f'{d}/src/config.ts', f"""
import {{ type Static, Type }} from '@sinclair/typebox';
import {{ AwsConfigSchema, ConfigFields, loadConfig }} from '@medvault/common/config';

/** Everything the {name} service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({{
  ...AwsConfigSchema.properties,
{chr(10).join(cfg)}
}});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {{
  return loadConfig(ConfigSchema, env);
}}
""")
    imports = ["import type { Redis } from 'ioredis';" if s['redis'] else None,
               "import type { Db, MongoClient } from 'mongodb';" if s['mongo'] else None,
               "import { S3Client } from '@aws-sdk/client-s3';" if s['s3'] else None,
               "import { KMSClient } from '@aws-sdk/client-kms';" if s['kms'] else None,
               "import { SNSClient } from '@aws-sdk/client-sns';" if s['sns'] else None,
               "import { SQSClient } from '@aws-sdk/client-sqs';" if s['sqs'] else None]
    common_imports = ["import { awsClientConfig" + (", s3ClientConfig" if s['s3'] else "") + (", queueUrl" if s['sqs'] else "") + " } from '@medvault/common/aws';",
                      "import { type RevocationChecker, RedisRevocationStore } from '@medvault/common/auth';",
                      "import { createMongo, createRedis, readPem } from '@medvault/common/clients';" if s['mongo'] else "import { createRedis, readPem } from '@medvault/common/clients';"]
    checks_imp = ['type DependencyCheck']
    fields = ["  config: Config;", "  logger: Logger;", "  checks: DependencyCheck[];", "  jwtPublicKey: string;", "  revocation: RevocationChecker;"]
    build = ["  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });",
             "  const aws = awsClientConfig(config);"]
    checks = []; closes = []
    if s['mongo']:
        fields += ["  mongo: MongoClient;", "  db: Db;"]
        build += [f"  const {{ client: mongo, db }} = createMongo(config.MONGO_URL, 'medvault-{name}', config.MONGO_DB);"]
        checks.append("mongoCheck(db)"); checks_imp.append('mongoCheck'); closes.append("mongo.close()")
    if s['redis']:
        fields += ["  redis: Redis;"]
        build += [f"  const redis = createRedis(config.REDIS_URL, 'medvault-{name}');"]
        checks.append("redisCheck(redis)"); checks_imp.append('redisCheck'); closes.append("redis.quit().catch(() => redis.disconnect())")
    if s['s3']:
        fields += ["  s3: S3Client;"]
        build += ["  const s3 = new S3Client(s3ClientConfig(config));"]
        for b in s['s3']: checks.append(f"s3Check(s3, config.BUCKET_{b})")
        checks_imp.append('s3Check'); closes.append("Promise.resolve(s3.destroy())")
    if s['kms']:
        fields += ["  kms: KMSClient;"]
        build += ["  const kms = new KMSClient(aws);"]
        checks.append(f"kmsCheck(kms, config.KMS_{s['kms']}_KEY_ID)"); checks_imp.append('kmsCheck'); closes.append("Promise.resolve(kms.destroy())")
    if s['sns']:
        fields += ["  sns: SNSClient;", "  publisher: EventPublisher;"]
        build += ["  const sns = new SNSClient(aws);", "  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);"]
        checks.append("snsCheck(sns, config.EVENTS_TOPIC_ARN)"); checks_imp.append('snsCheck'); closes.append("Promise.resolve(sns.destroy())")
    if s['sqs']:
        fields += ["  sqs: SQSClient;", "  queueUrl: string;", "  idempotency: IdempotencyStore;"]
        build += ["  const sqs = new SQSClient(aws);", f"  const queue = queueUrl(config.QUEUE_URL_BASE, config.{up}_QUEUE_NAME);",
                  "  const idempotency = new RedisIdempotencyStore(redis);"]
        checks.append("sqsCheck(sqs, queue)"); checks_imp.append('sqsCheck'); closes.append("Promise.resolve(sqs.destroy())")
    bus_imp = []
    if s['sns']: bus_imp += ['type EventPublisher', 'SnsEventPublisher']
    if s['sqs']: bus_imp += ['type IdempotencyStore', 'RedisIdempotencyStore']
    build += ["  const jwtPublicKey = readPem(config.JWT_PUBLIC_KEY, config.JWT_PUBLIC_KEY_FILE, 'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)');",
              "  const revocation = new RedisRevocationStore(redis);"]
    ret = ["config", "logger", "checks", "jwtPublicKey", "revocation"]
    if s['mongo']: ret += ['mongo', 'db']
    if s['redis']: ret += ['redis']
    if s['s3']: ret += ['s3']
    if s['kms']: ret += ['kms']
    if s['sns']: ret += ['sns', 'publisher']
    if s['sqs']: ret += ['sqs', 'queueUrl: queue', 'idempotency']
    w(f'{d}/src/deps.ts', f"""
{chr(10).join(x for x in imports if x)}
{chr(10).join(common_imports)}
{"import { " + ", ".join(bus_imp) + " } from '@medvault/common/bus';" if bus_imp else ""}
import {{ {", ".join(checks_imp)} }} from '@medvault/common/http';
import {{ createLogger, type Logger }} from '@medvault/common/logger';
import type {{ Config }} from './config.js';

export const SERVICE = '{name}';

/** Everything the {name} service talks to. The only place its clients are constructed. */
export interface Deps {{
{chr(10).join(fields)}
  close(): Promise<void>;
}}

export function buildDeps(config: Config): Deps {{
{chr(10).join(build)}
  const checks: DependencyCheck[] = [{", ".join(checks)}];
  return {{
    {", ".join(ret)},
    close: async () => {{
      await Promise.allSettled([{", ".join(closes)}]);
    }},
  }};
}}
""")
    w(f'{d}/src/app.ts', f"""
import {{ tokenVerifier }} from '@medvault/common/auth';
import {{ createBaseApp }} from '@medvault/common/http';
import {{ type Deps, SERVICE }} from './deps.js';

/** Builds the {name} HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {{
  const app = createBaseApp({{ service: SERVICE, logger: deps.logger, checks: deps.checks }});
  await app.register(tokenVerifier, {{
    publicKey: deps.jwtPublicKey,
    issuer: deps.config.JWT_ISSUER,
    audience: deps.config.JWT_AUDIENCE,
    revocation: deps.revocation,
  }});
  return app;
}}
""")
    if s['sqs']:
        w(f'{d}/src/messaging/handlers.ts', f"""
import type {{ EventHandlers }} from '@medvault/common/bus';
import type {{ Deps }} from '../deps.js';

/** The events the {name} service reacts to (its queue's filter policy delivers only these). */
export function buildHandlers(_deps: Deps): EventHandlers {{
  return {{}};
}}
""")
    consumer = ""
    if s['sqs']:
        consumer = f"""
  const consumer = createEventConsumer({{
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
  }});"""
    w(f'{d}/src/main.ts', f"""
{"import { createEventConsumer } from '@medvault/common/bus';" if s['sqs'] else ""}
import {{ runService, startOrExit }} from '@medvault/common/http';
import {{ buildApp }} from './app.js';
import {{ loadServiceConfig }} from './config.js';
import {{ buildDeps, SERVICE }} from './deps.js';
{"import { buildHandlers } from './messaging/handlers.js';" if s['sqs'] else ""}

startOrExit(async () => {{
  const config = loadServiceConfig();
  const deps = buildDeps(config);
  const app = await buildApp(deps);{consumer}
  deps.logger.info({{ port: config.{up}_PORT }}, `${{SERVICE}} starting`);
  await runService({{
    app,
    host: config.HOST,
    port: config.{up}_PORT,
    logger: deps.logger,
    workers: [{"consumer" if s['sqs'] else ""}],
    close: deps.close,
  }});
}});
""")
    w(f'{d}/src/config.test.ts', f"""
import {{ describe, expect, it }} from 'vitest';
import {{ loadServiceConfig }} from './config.js';

describe('{name} configuration', () => {{
  it('refuses to start without required keys, naming each one', () => {{
    expect(() => loadServiceConfig({{}})).toThrow(/Invalid configuration: .*{'MONGO_URL' if s['mongo'] else 'REDIS_URL'}/);
  }});

  it('names a key whose value has the wrong type', () => {{
    expect(() => loadServiceConfig({{ {up}_PORT: 'eighty' }})).toThrow(/{up}_PORT/);
  }});
}});
""")
    down_key = 'REDIS_URL'
    w(f'{d}/test/health.test.ts', f"""
import {{ serviceEnv }} from '@medvault/common/testing';
import {{ afterAll, describe, expect, it }} from 'vitest';
import {{ buildApp }} from '../src/app.js';
import {{ loadServiceConfig }} from '../src/config.js';
import {{ buildDeps, type Deps }} from '../src/deps.js';

const opened: Deps[] = [];
async function appWith(overrides: Record<string, string> = {{}}) {{
  const deps = buildDeps(loadServiceConfig(serviceEnv('{name}', {{ LOG_LEVEL: 'silent', ...overrides }})));
  opened.push(deps);
  return buildApp(deps);
}}

afterAll(async () => {{
  await Promise.all(opened.map((d) => d.close()));
}});

describe('{name} health', () => {{
  it('is live and ready with the whole local stack up', async () => {{
    const app = await appWith();
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.json(), ready.body).toMatchObject({{ status: 'ok', down: [] }});
    expect(ready.statusCode).toBe(200);
  }});

  it('answers 503 naming redis when redis is unreachable', async () => {{
    const app = await appWith({{ REDIS_URL: 'redis://127.0.0.1:1' }});
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().down).toEqual(['redis']);
  }});

  it('serves Prometheus metrics', async () => {{
    const app = await appWith();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total');
  }});
}});
""")
    for sub in ['domain', 'http']:
        w(f'{d}/src/{sub}/.gitkeep', '\n')
    if not s['sqs']: w(f'{d}/src/messaging/.gitkeep', '\n')
print('generated', only)
