#!/usr/bin/env bash
# Local stack without Docker: LocalStack (aws), FerretDB (mongo), Redis (redis), clamd (clamd) and
# Orthanc (orthanc: the PACS peer of the DICOMweb interop tests), all as host processes on 127.0.0.1. State lives in .local/ (run/ pids, logs/, data/); `down`
# removes what LocalStack wrote (its state is in memory: a restarted LocalStack is empty).
#   stack.sh up | down | status | logs [NAME] | start|stop|restart|pause|resume NAME
# Ports come from infra/env/local.env; variables already set in the environment win, so
# AWS_ENDPOINT_URL / MONGO_URL / REDIS_URL / CLAMD_PORT overrides move a component.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
RUN="$LOCAL/run"
LOGS="$LOCAL/logs"
DATA="$LOCAL/data"
COMPONENTS=(aws mongo redis clamd orthanc)
START_TIMEOUT="${STACK_START_TIMEOUT:-60}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-10}"
mkdir -p "$RUN" "$LOGS" "$DATA"

# Load local.env without overriding the caller's environment (same rule as the test setup).
while IFS= read -r line; do
  [[ "$line" =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
  [ -n "${!BASH_REMATCH[1]+x}" ] || export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
done <"$ROOT/infra/env/local.env"

url_port() { local p="${1##*:}"; p="${p%%/*}"; echo "$p"; }
AWS_PORT="$(url_port "$AWS_ENDPOINT_URL")"
MONGO_PORT="$(url_port "${MONGO_URL%/*}")"
REDIS_PORT="$(url_port "$REDIS_URL")"
CLAMD_PORT="${CLAMD_PORT:-3310}"
ORTHANC_HTTP_PORT="${ORTHANC_HTTP_PORT:-8042}"
ORTHANC_DICOM_PORT="${ORTHANC_DICOM_PORT:-4242}"
PY="$LOCAL/venv/bin/python"
[ -x "$PY" ] || PY=python3

port_of() { case "$1" in aws) echo "$AWS_PORT" ;; mongo) echo "$MONGO_PORT" ;; redis) echo "$REDIS_PORT" ;; clamd) echo "$CLAMD_PORT" ;; orthanc) echo "$ORTHANC_HTTP_PORT" ;; esac; }
# Substring of /proc/PID/cmdline that proves a pid file still points at our process (pid reuse).
marker_of() { case "$1" in aws) echo localstack/launch.py ;; mongo) echo ferretdb-local ;; redis) echo redis-server ;; clamd) echo clamd ;; orthanc) echo "$RUN/orthanc.json" ;; esac; }
probe_of() { case "$1" in aws) echo localstack ;; *) echo "$1" ;; esac; }
die() { echo "stack: $*" >&2; exit 1; }
check_name() { [[ " ${COMPONENTS[*]} " == *" $1 "* ]] || die "unknown component '$1' (one of: ${COMPONENTS[*]})"; }

# Prints the pid when the component's process is alive (running or paused), else fails.
pid_of() {
  local f="$RUN/$1.pid" pid
  [ -s "$f" ] || return 1
  pid="$(tr -dc 0-9 <"$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$(marker_of "$1")" || return 1
  echo "$pid"
}
is_paused() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]; }
healthy() { "$PY" "$ROOT/infra/lib/probe.py" "$(probe_of "$1")" "$(port_of "$1")"; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts a foreground program in its own session (so a Ctrl-C of the caller does not kill it and
# `stop` can signal its whole process group), recording its pid.
spawn() {
  local name="$1"
  shift
  echo "--- $(date -Is) starting: $*" >>"$LOGS/$name.log"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# clamd's configuration from the repo's template (the scan policy lives there).
render_clamd_conf() {
  sed -e "s|@DB_DIR@|$RUN/clamav-db|" -e "s|@PORT@|$CLAMD_PORT|" -e "s|@RUN_DIR@|$RUN|" \
    -e "s|@LOG_DIR@|$LOGS|" -e "s|@STREAM_MAX@|${CLAMD_STREAM_MAX_LENGTH:-2047M}|" \
    "$ROOT/infra/clamav/clamd.conf.template"
}

# Orthanc's configuration: our private ports, storage under .local/, the DICOMweb plugin only.
# Orthanc 1.10 has no bind-address option (it listens on every interface): RemoteAccessAllowed=false
# makes its HTTP server answer 127.0.0.1 only, and its DICOM server accepts no store/find/move from
# unknown peers. DICOMweb peers (MedVault's gateway) are added at run time over its REST API
# (ServersInDatabase), so the tests configure them with their own tokens.
render_orthanc_conf() {
  cat <<JSON
{
  "Name": "medvault-orthanc",
  "StorageDirectory": "$DATA/orthanc",
  "IndexDirectory": "$DATA/orthanc",
  "HttpPort": $ORTHANC_HTTP_PORT,
  "DicomPort": $ORTHANC_DICOM_PORT,
  "DicomAet": "MEDVAULTPEER",
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomAlwaysAllowStore": false,
  "DicomAlwaysAllowFind": false,
  "DicomAlwaysAllowEcho": true,
  "ExecuteLuaEnabled": false,
  "RestApiWriteToFileSystemEnabled": false,
  "ConcurrentJobs": 1,
  "HttpThreadsCount": 8,
  "DicomThreadsCount": 1,
  "SaveJobs": false,
  "HttpTimeout": 60,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "DicomWeb": {
    "Enable": true,
    "Root": "/dicom-web/",
    "EnableWado": false,
    "Host": "127.0.0.1:$ORTHANC_HTTP_PORT",
    "Ssl": false,
    "ServersInDatabase": true,
    "Servers": {}
  }
}
JSON
}

launch() {
  local name="$1" port
  port="$(port_of "$name")"
  if port_busy "$port"; then
    die "$name: port $port on 127.0.0.1 is already used by another process: $(ss -Htlnp "sport = :$port" 2>/dev/null | grep -o 'users:.*' | head -1)"
  fi
  if [ "$name" = orthanc ] && port_busy "$ORTHANC_DICOM_PORT"; then
    die "orthanc: DICOM port $ORTHANC_DICOM_PORT is already used by another process"
  fi
  case "$name" in
    aws)
      local ls_py="$LOCAL/localstack/venv/bin/python"
      [ -x "$ls_py" ] || die "aws: LocalStack not installed (run infra/install.sh)"
      # Host mode (no Docker). The flags, and why (see docs/infrastructure.md):
      #  OVERRIDE_IN_DOCKER=0       these machines have a /.dockerenv: LocalStack must not think it is in a container
      #  SQS_ENDPOINT_STRATEGY=path queue URLs http://127.0.0.1:PORT/queue/REGION/ACCOUNT/NAME, no DNS names needed
      #  EAGER_SERVICE_LOADING=1    every service loaded before the first request (ready means ready)
      #  DNS_ADDRESS=0, SKIP_SSL_CERT_DOWNLOAD=1, DISABLE_EVENTS=1: no DNS server, no downloads, no telemetry
      #  FILESYSTEM_ROOT            everything it writes (S3 object spool included, see launch.py) under .local/
      rm -rf "$DATA/localstack" && mkdir -p "$DATA/localstack"
      OVERRIDE_IN_DOCKER=0 SQS_ENDPOINT_STRATEGY=path SERVICES=s3,sqs,sns,kms,iam,sts EAGER_SERVICE_LOADING=1 \
        SKIP_SSL_CERT_DOWNLOAD=1 DISABLE_EVENTS=1 DNS_ADDRESS=0 FILESYSTEM_ROOT="$DATA/localstack" \
        LS_LOG="${LOCALSTACK_LOG:-warn}" AWS_DEFAULT_REGION="$AWS_REGION" \
        spawn aws "$ls_py" "$ROOT/infra/localstack/launch.py" --listen "127.0.0.1:$port"
      ;;
    mongo)
      [ -x "$LOCAL/bin/ferretdb-local" ] || die "mongo: FerretDB not built (run infra/install.sh)"
      mkdir -p "$DATA/ferretdb"
      spawn mongo "$LOCAL/bin/ferretdb-local" -listen "127.0.0.1:$port" -dir "$DATA/ferretdb"
      ;;
    redis)
      mkdir -p "$DATA/redis"
      # Cache/rate-limit/session store only: no persistence needed, loopback only.
      spawn redis redis-server --bind 127.0.0.1 --port "$port" --dir "$DATA/redis" \
        --save '' --appendonly no --protected-mode yes --daemonize no --logfile ''
      ;;
    clamd)
      local clamd_bin conf="$RUN/clamd.conf"
      clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"
      [ -x "$clamd_bin" ] || die "clamd: not installed (run infra/install.sh)"
      # clamd reads a copy of the repo's signatures, refreshed at every start: operators (and the
      # end-to-end suite's rescan story) may add a signature there at run time and RELOAD clamd.
      rm -rf "$RUN/clamav-db" && mkdir -p "$RUN/clamav-db" && cp "$ROOT"/infra/clamav/db/* "$RUN/clamav-db/"
      render_clamd_conf >"$conf"
      rm -f "$RUN/clamd.pid"
      echo "--- $(date -Is) starting: $clamd_bin -c $conf" >>"$LOGS/clamd.log"
      # clamd daemonizes itself (Foreground no) and writes its own PidFile into $RUN.
      "$clamd_bin" -c "$conf" >>"$LOGS/clamd.log" 2>&1 </dev/null || die "clamd: failed to start$(printf '\n')$(tail -n 20 "$LOGS/clamd.log")"
      ;;
    orthanc)
      local orthanc_bin
      orthanc_bin="$(command -v Orthanc || echo /usr/sbin/Orthanc)"
      [ -x "$orthanc_bin" ] || die "orthanc: not installed (run infra/install.sh as root)"
      mkdir -p "$DATA/orthanc"
      render_orthanc_conf >"$RUN/orthanc.json"
      spawn orthanc "$orthanc_bin" "$RUN/orthanc.json"
      ;;
  esac
}

wait_healthy() {
  local name="$1" deadline=$((SECONDS + START_TIMEOUT))
  until healthy "$name"; do
    if [ "$SECONDS" -ge "$deadline" ] || { [ "$name" != clamd ] && ! pid_of "$name" >/dev/null; }; then
      echo "stack: $name did not become healthy on port $(port_of "$name") within ${START_TIMEOUT}s; last log lines ($LOGS/$name.log):" >&2
      tail -n 25 "$LOGS/$name.log" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

# The port a running component actually serves (command line; redis retitles itself to
# "redis-server 127.0.0.1:PORT"; clamd from its rendered config).
running_port() {
  case "$1" in
    clamd) awk '$1 == "TCPSocket" {print $2}' "$RUN/clamd.conf" 2>/dev/null ;;
    orthanc) grep -oE '"HttpPort": [0-9]+' "$RUN/orthanc.json" 2>/dev/null | grep -oE '[0-9]+$' ;;
    *) tr '\0' ' ' <"/proc/$2/cmdline" | grep -oE '(-p |--port |127\.0\.0\.1:)[0-9]+' | head -1 | grep -oE '[0-9]+$' ;;
  esac
}

start_one() {
  local name="$1" pid
  if pid="$(pid_of "$name")"; then
    # Never silently keep a component on another port than the one asked for (env overrides).
    [ "$(running_port "$name" "$pid")" = "$(port_of "$name")" ] ||
      die "$name is running (pid $pid) on port $(running_port "$name" "$pid"), not $(port_of "$name"): stop it first"
    is_paused "$pid" && kill -CONT "$pid" # `up`/`start` always leave a usable component
    # A running clamd whose scan policy changed in the repo (a pull, a branch switch) would scan
    # with the old one: restart it on the new configuration.
    if [ "$name" != clamd ] || cmp -s <(render_clamd_conf) "$RUN/clamd.conf"; then return 0; fi
    echo "stack: clamd configuration changed, restarting clamd" >&2
    stop_one clamd
  fi
  launch "$name"
}

# Signals the process group when the pid leads one (spawned with setsid), else the single pid.
signal() {
  local sig="$1" pid="$2"
  if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then kill "-$sig" -- "-$pid" 2>/dev/null || true
  else kill "-$sig" "$pid" 2>/dev/null || true; fi
}

stop_one() {
  local name="$1" pid deadline
  pid="$(pid_of "$name")" || { rm -f "$RUN/$name.pid"; return 0; }
  signal TERM "$pid"
  signal CONT "$pid" # a paused process only acts on TERM once continued
  # LocalStack keeps nothing worth flushing (state in memory) and its shutdown sometimes waits
  # many seconds for open long-poll connections: a short grace, then SIGKILL, silently.
  local grace="$STOP_TIMEOUT" quiet=
  if [ "$name" = aws ]; then grace=5 quiet=1; fi
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    [ -n "$quiet" ] || echo "stack: $name (pid $pid) ignored SIGTERM for ${grace}s, sending SIGKILL" >&2
    signal KILL "$pid"
    sleep 0.2
  fi
  rm -f "$RUN/$name.pid"
  # LocalStack's state lives in memory; what it spooled to disk is worthless once it stopped.
  if [ "$name" = aws ]; then rm -rf "$DATA/localstack"; fi
}

# LocalStack keeps no state: a freshly started one has new KMS keys and no objects, so records in
# FerretDB/Redis that point at the old ones (files, signed audit checkpoints) would outlive what they
# refer to (undecryptable files, an unverifiable audit chain). Reset them with it (local only).
reset_local_state() {
  if (cd "$ROOT" && node scripts/reset-state.mjs >/dev/null); then
    echo "stack: LocalStack started empty (it keeps no state), so the services' local databases and Redis were reset to match; restart running services" >&2
  else
    echo "stack: warning: could not reset the local databases after LocalStack started empty (is mongo/redis up?)" >&2
  fi
}

provision() {
  (cd "$ROOT" && node --conditions=source --import tsx infra/provision/provision.ts) ||
    die "provisioning failed (LocalStack log: $LOGS/aws.log)"
}

status() {
  local rc=0 name pid state
  for name in "${COMPONENTS[@]}"; do
    if ! pid="$(pid_of "$name")"; then state=down pid=-; rc=1
    elif is_paused "$pid"; then state=paused; rc=1 # frozen (fault test): not serving
    elif healthy "$name"; then state=healthy
    else state=unhealthy; rc=1; fi
    printf '%-7s %-9s pid=%-8s port=%s\n' "$name" "$state" "$pid" "$(port_of "$name")"
  done
  return "$rc"
}

cmd="${1:-}"
name="${2:-}"
case "$cmd" in
  up)
    bash "$ROOT/infra/install.sh"
    aws_was_running=1
    pid_of aws >/dev/null || aws_was_running=
    for c in "${COMPONENTS[@]}"; do start_one "$c"; done
    for c in "${COMPONENTS[@]}"; do wait_healthy "$c"; done
    # LocalStack keeps everything in memory: always (re-)provision; idempotent when already done.
    provision
    [ -n "$aws_was_running" ] || reset_local_state
    ;;
  down) for c in "${COMPONENTS[@]}"; do stop_one "$c"; done ;;
  status) status ;;
  logs)
    if [ -n "$name" ]; then check_name "$name"; tail -n "${LINES_SHOWN:-100}" "$LOGS/$name.log"
    else for c in "${COMPONENTS[@]}"; do echo "==> $c ($LOGS/$c.log)"; tail -n "${LINES_SHOWN:-20}" "$LOGS/$c.log" 2>/dev/null || true; done; fi
    ;;
  start | restart)
    [ -n "$name" ] || die "usage: stack.sh $cmd NAME"
    check_name "$name"
    if [ "$cmd" = restart ]; then stop_one "$name"; fi
    was_running="$(pid_of "$name" || true)" # a fresh LocalStack is empty
    start_one "$name"
    wait_healthy "$name"
    if [ "$name" = aws ]; then
      provision
      [ -n "$was_running" ] || reset_local_state
    fi
    ;;
  stop) [ -n "$name" ] || die "usage: stack.sh stop NAME"; check_name "$name"; stop_one "$name" ;;
  pause | resume)
    [ -n "$name" ] || die "usage: stack.sh $cmd NAME"
    check_name "$name"
    pid="$(pid_of "$name")" || die "$name is not running"
    # SIGSTOP freezes the process with its memory (LocalStack's state survives), simulating an outage.
    if [ "$cmd" = pause ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
    ;;
  *) die "usage: stack.sh up|down|status|logs [NAME]|start|stop|restart|pause|resume NAME (NAME: ${COMPONENTS[*]})" ;;
esac
