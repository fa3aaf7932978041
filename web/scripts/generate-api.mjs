// Regenerates src/api/schema.d.ts from the running gateway's OpenAPI document, so the console's
// API client cannot drift from the API: `npm run api:generate -w web` (the stack must be up;
// MEDVAULT_GATEWAY_URL overrides the gateway of infra/env/local.env). The result is committed;
// web/e2e/api-drift.spec.ts fails when it no longer matches what the gateway serves.
import { writeFileSync } from 'node:fs';
import { gatewayUrl, generateApiTypes } from './api-types.mjs';

const out = new URL('../src/api/schema.d.ts', import.meta.url);
const doc = await (await fetch(`${gatewayUrl()}/docs/openapi.json`)).json();
writeFileSync(out, await generateApiTypes(doc));
console.log(`wrote ${out.pathname}`);
