// Loads the local stack's shared configuration (infra/env/local.env) into process.env for
// integration tests, without overriding anything the caller set explicitly.
import { loadEnvFile } from '../packages/common/src/config/env-file.js';

loadEnvFile(new URL('../infra/env/local.env', import.meta.url));
