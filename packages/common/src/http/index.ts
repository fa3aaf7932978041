import '../events/formats.js';

export { type BaseApp, type BaseAppOptions, createBaseApp, createServiceApp, type ServiceAppDeps } from './app.js';
export { type CallerPolicy, gatewayOnlyCallers, registerCallerPolicy } from './callers.js';
export { kmsCheck, mongoCheck, redisCheck, s3Check, snsCheck, sqsCheck } from './checks.js';
export { type DependencyCheck, registerHealth, runChecks } from './health.js';
export { type RunOptions, runService, type Startable, startOrExit } from './lifecycle.js';
export { collectProcessMetrics, counter, gauge, histogram, registry } from './metrics.js';
export { openApiDocument, type RouteSeen, registerOpenApi, routesSeen } from './openapi.js';
export { type Problem, registerErrorHandling, sendProblem } from './problem.js';
