#!/usr/bin/env bash
# The ground every top-level command stands on: installs what is missing, creates the local keys,
# starts the infrastructure (LocalStack, FerretDB, Redis, clamd) and provisions it. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/infra/install.sh"
bash "$ROOT/scripts/ensure-keys.sh"
bash "$ROOT/infra/stack.sh" up
