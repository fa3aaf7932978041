#!/usr/bin/env bash
# Proves the production build runs: starts services/<name>/dist/main.js with plain node (no tsx,
# no `source` export condition: every @medvault import resolves to compiled dist/ files), against
# the local stack, waits for /health/ready to answer 200, then stops it with SIGTERM and expects a
# clean exit (0). The service must not be running already (same port).
#   npm run build && bash scripts/check-build.sh gateway [files ...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/.local/logs"
mkdir -p "$LOGS"
env_value() { grep -E "^$1=" infra/env/local.env | cut -d= -f2; }

check_one() {
  local svc="$1" upper port log pid code=0
  upper="$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
  port="$(env_value "${upper}_PORT")"
  log="$LOGS/$svc.dist.log"
  [ -f "services/$svc/dist/main.js" ] || { echo "check-build: services/$svc/dist/main.js missing (npm run build)" >&2; return 1; }
  (
    set -a
    # shellcheck disable=SC1091
    . infra/env/local.env
    # shellcheck disable=SC1090
    . ".local/state/credentials/$svc.env"
    set +a
    exec node "services/$svc/dist/main.js"
  ) >"$log" 2>&1 &
  pid=$!
  local ready=""
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if [ -z "$ready" ]; then
    echo "check-build: $svc (dist) never became ready on port $port; log: $log" >&2
    kill "$pid" 2>/dev/null || true
    tail -5 "$log" >&2
    return 1
  fi
  kill -TERM "$pid"
  wait "$pid" || code=$?
  if [ "$code" != 0 ]; then
    echo "check-build: $svc (dist) exited $code after SIGTERM; log: $log" >&2
    return 1
  fi
  echo "check-build: $svc runs from dist/ (ready on :$port, clean stop)"
}

for svc in "${@:-gateway}"; do check_one "$svc"; done
