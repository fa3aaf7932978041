#!/usr/bin/env bash
# Creates the local stack's access-token signing key pair (Ed25519) once. Never committed:
# production mounts its own keys (JWT_PRIVATE_KEY_FILE on the gateway, public key everywhere).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.local/state/jwt"
mkdir -p "$DIR"
if [ ! -s "$DIR/private.pem" ] || [ ! -s "$DIR/public.pem" ]; then
  umask 077
  openssl genpkey -algorithm ed25519 -out "$DIR/private.pem" 2>/dev/null
  openssl pkey -in "$DIR/private.pem" -pubout -out "$DIR/public.pem" 2>/dev/null
  chmod 644 "$DIR/public.pem"
fi
