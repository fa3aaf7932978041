#!/usr/bin/env bash
# `npm run faults`: bounded fault injection on the local stack (started here if needed, with the
# stack's configuration loaded: the script logs in as the bootstrap admin of infra/env/local.env).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/stack-up.sh
set -a
# shellcheck disable=SC1091
. infra/env/local.env
set +a
exec node --conditions=source --import tsx scripts/faults.ts "$@"
