#!/usr/bin/env bash
# Creates the local stack's keys once (see ensure-keys.mjs): the access-token keys (gateway signs,
# every service verifies) with the download-link key, and the gateway assertion keys (gateway signs
# the assertion each proxied request carries, internal services verify it and accept nothing else).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node "$ROOT/scripts/ensure-keys.mjs" "$ROOT/.local/state/jwt" --link-secret
node "$ROOT/scripts/ensure-keys.mjs" "$ROOT/.local/state/internal"
