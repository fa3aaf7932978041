// Creates the local stack's signing keys once, in the given folder (default .local/state/jwt):
// an Ed25519 key pair (PEM) — the access-token keys (.local/state/jwt) or the gateway assertion
// keys (.local/state/internal) — and, with --link-secret, the files service's download-link HMAC
// key (link-signing.secret, named by LINK_SIGNING_SECRET_FILE). Used by the host stack
// (scripts/ensure-keys.sh) and by docker-compose's provision step. Never committed: production
// mounts its own keys.
//   node scripts/ensure-keys.mjs DIR [--link-secret]
import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
const linkSecret = join(dir, 'link-signing.secret');
if (process.argv.includes('--link-secret') && !existsSync(linkSecret)) {
  writeFileSync(linkSecret, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
}
