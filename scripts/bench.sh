#!/usr/bin/env bash
# `npm run bench [filter...]`: benchmarks on the local stack (started if needed). Not tests:
# they print figures (ratios to baselines measured in the same run, peak memory) and never fail CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/stack-up.sh
bash scripts/services.sh start
set -a
# shellcheck disable=SC1091
. infra/env/local.env
set +a
exec node --conditions=source --import tsx bench/run.ts "$@"
