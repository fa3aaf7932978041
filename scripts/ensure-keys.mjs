// Creates an Ed25519 signing key pair (PEM) once, in the given folder (default .local/state/jwt):
// the access-token keys (.local/state/jwt) and the gateway assertion keys (.local/state/internal).
// Used by the host stack (scripts/ensure-keys.sh) and by docker-compose's provision step.
// Never committed: production mounts its own keys.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? join(import.meta.dirname ?? '.', '../.local/state/jwt');
const priv = join(dir, 'private.pem');
const pub = join(dir, 'public.pem');
if (!existsSync(priv) || !existsSync(pub)) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
}
