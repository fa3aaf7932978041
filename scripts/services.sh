#!/usr/bin/env bash
# Runs the MedVault services as host processes (one per service, own IAM credentials each).
#   services.sh start [NAME...] | stop [NAME...] | status | restart NAME | logs NAME
# Logs: .local/logs/<service>.log, pids: .local/run/<service>.pid.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.local/run"
LOGS="$ROOT/.local/logs"
CREDS="$ROOT/.local/state/credentials"
ALL=(audit files scanner watermark appointments notify chat gateway)
READY_TIMEOUT="${SERVICES_READY_TIMEOUT:-90}"
mkdir -p "$RUN" "$LOGS"

port_of() {
  local key
  key="$(echo "$1" | tr '[:lower:]' '[:upper:]')_PORT"
  grep -E "^$key=" "$ROOT/infra/env/local.env" | cut -d= -f2
}
pid_of() {
  local f="$RUN/$1.pid"
  [ -f "$f" ] || return 1
  local pid
  pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null && grep -q "services/$1/src/main.ts" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
ready() { curl -fsS -m 3 "http://127.0.0.1:$(port_of "$1")/health/ready" >/dev/null 2>&1; }
# Readiness with details (which dependency is down): the gateway's public entry says up or down
# only, its details are on the operators' listener (GATEWAY_ADMIN_PORT, default GATEWAY_PORT + 1000).
details_url() {
  if [ "$1" = gateway ]; then
    local p
    p="$(grep -E '^GATEWAY_ADMIN_PORT=' "$ROOT/infra/env/local.env" | cut -d= -f2 || true)"
    echo "http://127.0.0.1:${p:-$(($(port_of gateway) + 1000))}/health/ready"
  else
    echo "http://127.0.0.1:$(port_of "$1")/health/ready"
  fi
}

# Development SMTP sink (scripts/mail-sink.mjs) so notify's email channel works locally.
mailsink_pid() {
  local f="$RUN/mailsink.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null && grep -q "mail-sink.mjs" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
start_mailsink() {
  mailsink_pid >/dev/null && return 0
  (cd "$ROOT" && SMTP_PORT="$(grep -E '^SMTP_PORT=' "$ROOT/infra/env/local.env" | cut -d= -f2)" exec nohup node scripts/mail-sink.mjs "$ROOT/.local/mail" >>"$LOGS/mailsink.log" 2>&1) &
  echo $! >"$RUN/mailsink.pid"
}
stop_mailsink() {
  local pid
  pid="$(mailsink_pid)" && kill -TERM "$pid" 2>/dev/null
  rm -f "$RUN/mailsink.pid"
}

start_one() {
  local svc="$1"
  if pid_of "$svc" >/dev/null; then return 0; fi
  [ -f "$CREDS/$svc.env" ] || { echo "services: no credentials for $svc (run: npm run stack up)" >&2; return 1; }
  (
    cd "$ROOT"
    set -a
    # shellcheck disable=SC1090,SC1091
    . "$ROOT/infra/env/local.env"
    # shellcheck disable=SC1090
    . "$CREDS/$svc.env"
    set +a
    exec nohup node --conditions=source --import tsx "services/$svc/src/main.ts" >>"$LOGS/$svc.log" 2>&1
  ) &
  echo $! >"$RUN/$svc.pid"
}

wait_ready() {
  local svc="$1" deadline=$((SECONDS + READY_TIMEOUT))
  until ready "$svc"; do
    if ! pid_of "$svc" >/dev/null; then
      echo "services: $svc exited during start-up; last log lines:" >&2
      tail -n 20 "$LOGS/$svc.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "services: $svc not ready after ${READY_TIMEOUT}s; readiness says:" >&2
      curl -sS -m 3 "$(details_url "$svc")" >&2 || true
      echo >&2
      return 1
    fi
    sleep 0.5
  done
}

stop_one() {
  local svc="$1" pid
  pid="$(pid_of "$svc")" || { rm -f "$RUN/$svc.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/$svc.pid"
}

cmd="${1:-status}"
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
case "$cmd" in
  start)
    start_mailsink
    for s in "${names[@]}"; do start_one "$s"; done
    for s in "${names[@]}"; do wait_ready "$s"; done
    ;;
  stop)
    for s in "${names[@]}"; do stop_one "$s"; done
    [ $# -gt 0 ] || stop_mailsink
    ;;
  restart) for s in "${names[@]}"; do stop_one "$s"; start_one "$s"; wait_ready "$s"; done ;;
  status)
    rc=0
    for s in "${names[@]}"; do
      if pid="$(pid_of "$s")"; then
        if ready "$s"; then state=ready; else state="not-ready"; rc=1; fi
        printf '%-13s %-10s pid=%-8s port=%s\n' "$s" "$state" "$pid" "$(port_of "$s")"
      else
        printf '%-13s %-10s %-12s port=%s\n' "$s" down - "$(port_of "$s")"
        rc=1
      fi
    done
    exit $rc
    ;;
  logs) tail -n "${LINES:-100}" -f "$LOGS/${names[0]}.log" ;;
  *) echo "usage: services.sh start|stop|restart|status|logs [NAME...]" >&2; exit 2 ;;
esac
