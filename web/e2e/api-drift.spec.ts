import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { generateApiTypes } from '../scripts/api-types.mjs';

test('the console API types match the OpenAPI document the gateway serves (npm run api:generate -w web)', async ({
  request,
}) => {
  const doc = await (await request.get('/docs/openapi.json')).json();
  const committed = readFileSync(new URL('../src/api/schema.d.ts', import.meta.url), 'utf8');
  expect(await generateApiTypes(doc)).toBe(committed);
});
