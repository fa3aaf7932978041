#!/usr/bin/env bash
# Creates the local stack's signing keys once: access tokens, download links (see ensure-keys.mjs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node "$ROOT/scripts/ensure-keys.mjs" "$ROOT/.local/state/jwt"
