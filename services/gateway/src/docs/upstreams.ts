/**
 * The internal services whose public routes the gateway serves, documents and audits by name.
 * Their routes are NOT listed here: they come from each service's own route schemas, generated
 * into openapi.generated.ts at build time (tools/write-openapi.ts). To put a service behind the
 * gateway: add its name below, give `deps.upstreams` its base URL, run
 * `npm run openapi -w @medvault/gateway` and commit the regenerated file.
 *
 * Why build time rather than fetching each service's document at start-up: the routing table
 * is then fixed, reviewed in the diff and identical on every instance; the gateway starts and
 * routes whether or not a service is up (a fetched table would lack the routes of a service
 * that was down at boot); and a test fails when the file is stale (docs/upstream-docs.test.ts).
 */
export const UPSTREAMS = ['files', 'appointments', 'notify', 'audit', 'chat'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

/**
 * Only these paths are public; any other route a service has stays unreachable from outside.
 * /dicomweb/ is the standard DICOMweb API (PS3.18) of the files service, same tokens (issue 17).
 */
export const PUBLIC_PATH = /^\/(v1|dicomweb)\//;
