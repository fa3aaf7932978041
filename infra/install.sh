#!/usr/bin/env bash
# Installs everything the local stack needs, idempotently and non-interactively:
#   - Debian packages redis-server, clamav, clamav-daemon, chromium, orthanc + orthanc-dicomweb (only
#     when a binary is missing); Orthanc is the imaging interop peer (issue 17), started by stack.sh
#   - LocalStack (the local AWS) in its own venv (.local/localstack/venv): localstack-core 4.14.0 on
#     Python >= 3.12, every dependency pinned by infra/localstack/constraints.txt
#   - a project-local Python venv (.local/venv) with a pinned moto[server], used only by the tests
#     that prove IAM least privilege (moto evaluates IAM policies; LocalStack community does not)
#   - pydicom in that venv: its bundled DICOM samples are the imaging tests' data (issue 17)
#   - the FerretDB wrapper binary (.local/bin/ferretdb-local), rebuilt only when its sources change
#   - the Helm chart checker (.local/bin/medvault-chart-check, deploy/check), likewise
#   - root node_modules (npm install, following package-lock.json) when missing or older than the lock
# Quiet on success; on failure prints the step that failed and the tail of its output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
MOTO_VERSION="5.2.1" # verified: KMS/S3/SNS/SQS features we rely on + IAM enforcement
PYDICOM_VERSION="3.0.2" # test data only (DICOM samples, issue 17)
mkdir -p "$LOCAL/bin" "$LOCAL/logs" "$LOCAL/run"
LOG="$LOCAL/logs/install.log"
: >"$LOG"

# Serialize concurrent installs (e.g. two `stack.sh up` at once would both run pip/go/npm).
exec 9>"$LOCAL/run/install.lock"
flock 9

fail() {
  echo "install: $1 failed (full output: $LOG)" >&2
  tail -n 30 "$LOG" >&2
  exit 1
}
# Runs a step with its output captured in the log, so success stays quiet.
try() {
  echo "== $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1
}
step() {
  local name="$1"
  shift
  try "$@" || fail "$name"
}

# --- Debian packages --------------------------------------------------------------------------
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
command -v clamscan >/dev/null 2>&1 || need_apt+=(clamav)
{ command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; } || need_apt+=(clamav-daemon)
command -v clamdscan >/dev/null 2>&1 || need_apt+=(clamdscan) # the scanner benchmark's baseline
command -v jq >/dev/null 2>&1 || need_apt+=(jq)               # the README's API walk-through
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The web console's browser tests (web/playwright.config.ts) drive Debian's Chromium: Playwright's own
# browser download is not reachable here, and the distribution's build gets security updates.
{ command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || need_apt+=(chromium)
# Orthanc (a real PACS) and its DICOMweb plugin: the DICOMweb interop tests' peer (issue 17). The
# package's own service never starts (policy-rc.d below); stack.sh runs it on our private ports.
{ command -v Orthanc >/dev/null 2>&1 || [ -x /usr/sbin/Orthanc ]; } || need_apt+=(orthanc)
[ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need_apt+=(orthanc-dicomweb)
if [ "${#need_apt[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "install: need root to apt-get install ${need_apt[*]}" >&2; exit 1; }
  # Package maintainer scripts would start system redis/clamd/freshclam services that grab our
  # ports (or try to download signatures); policy-rc.d exit 101 forbids that during install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  step apt-update apt-get update -q
  step apt-install apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

# --- LocalStack in its own venv -----------------------------------------------------------------
# localstack-core 4.14.0 is the last open-source release (its repository is archived): the
# constraints file is the list of versions LocalStack itself pinned for that release
# (requirements-runtime.txt at tag v4.14.0); unpinned, newer cbor2/pyOpenSSL break it.
# Its services fail to import on Python 3.11 (SyntaxError), so a Python >= 3.12 is needed.
LS_VERSION="4.14.0"
LS_VENV="$LOCAL/localstack/venv"
ls_stamp="$LS_VERSION $(sha256sum "$ROOT/infra/localstack/constraints.txt" | cut -d' ' -f1)"
find_python312() {
  local c
  for c in "${LOCALSTACK_PYTHON:-}" python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 \
    "$HOME"/.pyenv/versions/3.12*/bin/python3 /usr/bin/python3 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
    "$c" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 &&
      { command -v "$c"; return 0; }
  done
  return 1
}
if [ "$(cat "$LS_VENV/.stamp" 2>/dev/null || true)" != "$ls_stamp" ]; then
  ls_python="$(find_python312)" || {
    echo "install: LocalStack needs Python >= 3.12 with venv (found none: tried python3.13, python3.12, ~/.pyenv/versions/3.1[23]*, python3; set LOCALSTACK_PYTHON=/path/to/python3.12+)" >&2
    exit 1
  }
  rm -rf "$LS_VENV"
  step localstack-venv "$ls_python" -m venv "$LS_VENV"
  # One retry: a registry hiccup must not fail a fresh machine's first start.
  ls_pip=("$LS_VENV/bin/pip" install -q --disable-pip-version-check
    -c "$ROOT/infra/localstack/constraints.txt" "localstack-core[runtime]==$LS_VERSION")
  try "${ls_pip[@]}" || { sleep 5; step localstack-pip "${ls_pip[@]}"; }
  echo "$ls_stamp" >"$LS_VENV/.stamp"
fi

# --- moto in a project-local venv ---------------------------------------------------------------
VENV="$LOCAL/venv"
if [ "$(cat "$VENV/.moto-version" 2>/dev/null || true)" != "$MOTO_VERSION" ] || [ ! -x "$VENV/bin/moto_server" ]; then
  [ -x "$VENV/bin/python" ] || step venv python3 -m venv "$VENV"
  try "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" ||
    { sleep 5; step pip "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"; }
  echo "$MOTO_VERSION" >"$VENV/.moto-version"
fi

# --- pydicom in the same venv: its bundled DICOM samples are the imaging tests' data ------------
# (CT_small, MR_small and compressed variants, returned offline by get_testdata_file; scripts/
# dicom-samples.sh copies them to .local/data/dicom). `python -m pip`, not bin/pip: a venv copied
# from another checkout keeps the original's path in bin/pip's shebang and would install there.
if ! "$VENV/bin/python" -c "import pydicom, sys; sys.exit(pydicom.__version__ != '$PYDICOM_VERSION')" >/dev/null 2>&1; then
  try "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pydicom==$PYDICOM_VERSION" ||
    { sleep 5; step pydicom "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pydicom==$PYDICOM_VERSION"; }
fi

# --- FerretDB (MongoDB wire protocol on SQLite) -------------------------------------------------
FDB_SRC="$ROOT/infra/ferretdb"
FDB_BIN="$LOCAL/bin/ferretdb-local"
fdb_hash="$( (cat "$FDB_SRC/main.go" "$FDB_SRC/go.mod" "$FDB_SRC/go.sum"; echo "patch: IDColumn uses the _id index") | sha256sum | cut -d' ' -f1)"
if [ ! -x "$FDB_BIN" ] || [ "$(cat "$FDB_BIN.sha256" 2>/dev/null || true)" != "$fdb_hash" ]; then
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] ||
    { echo "install: Go >= 1.22 is required to build FerretDB (not found on PATH)" >&2; exit 1; }
  PATH="$PATH:/usr/local/go/bin"
  # PATCH (emulator only, production runs MongoDB): FerretDB v1.24.0's SQLite backend looks
  # documents up by `_ferretdb_sjson->'$._id'` but creates the `_id` index on
  # `_ferretdb_sjson->"_id"`. SQLite matches index expressions as written, so every find, update
  # and delete by `_id` read the whole table (14 ms for the last of 2 000 documents, growing with
  # each one; `EXPLAIN QUERY PLAN` says SCAN). Building it with the index's own expression makes
  # them index look-ups (docs/infrastructure.md). The patched copy is made from the module cache;
  # the build fails if the line to patch is not there (another FerretDB version).
  FDB_WORK="$LOCAL/build/ferretdb"
  rm -rf "$FDB_WORK" && mkdir -p "$FDB_WORK/wrapper"
  cp "$FDB_SRC/main.go" "$FDB_SRC/go.mod" "$FDB_SRC/go.sum" "$FDB_WORK/wrapper/"
  (cd "$FDB_WORK/wrapper" && step go-mod-download go mod download github.com/FerretDB/FerretDB)
  fdb_mod="$(cd "$FDB_WORK/wrapper" && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
  cp -r "$fdb_mod" "$FDB_WORK/FerretDB" && chmod -R u+w "$FDB_WORK/FerretDB"
  fdb_meta="$FDB_WORK/FerretDB/internal/backends/sqlite/metadata/metadata.go"
  grep -q "IDColumn = DefaultColumn + \"->'\$._id'\"" "$fdb_meta" ||
    { echo "install: FerretDB's IDColumn is not the one infra/install.sh patches" >&2; exit 1; }
  sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \"->\\\\\"_id\\\\\"\"|" "$fdb_meta"
  grep -q 'IDColumn = DefaultColumn + "->\\"_id\\""' "$fdb_meta" ||
    { echo "install: patching FerretDB's IDColumn failed" >&2; exit 1; }
  # -mod=readonly: go.sum is committed, the build must not rewrite it.
  (cd "$FDB_WORK/wrapper" && go mod edit -replace github.com/FerretDB/FerretDB=../FerretDB &&
    step go-build go build -mod=readonly -trimpath -o "$FDB_BIN.tmp" .)
  mv "$FDB_BIN.tmp" "$FDB_BIN"
  echo "$fdb_hash" >"$FDB_BIN.sha256"
fi

# --- Helm chart checker (deploy/check) ------------------------------------------------------------
# Renders deploy/helm/medvault with Helm's engine and strictly decodes every object into the
# Kubernetes and KEDA API types, offline (deploy/test/chart.test.ts). Rebuilt only when its sources change.
CHK_SRC="$ROOT/deploy/check"
CHK_BIN="$LOCAL/bin/medvault-chart-check"
chk_hash="$(cat "$CHK_SRC"/*.go "$CHK_SRC/go.mod" "$CHK_SRC/go.sum" "$CHK_SRC"/crds/*.yaml | sha256sum | cut -d' ' -f1)"
if [ ! -x "$CHK_BIN" ] || [ "$(cat "$CHK_BIN.sha256" 2>/dev/null || true)" != "$chk_hash" ]; then
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] ||
    { echo "install: Go >= 1.24 is required to build the chart checker (not found on PATH)" >&2; exit 1; }
  PATH="$PATH:/usr/local/go/bin"
  (cd "$CHK_SRC" && step chart-check-build go build -mod=readonly -trimpath -o "$CHK_BIN.tmp" .)
  mv "$CHK_BIN.tmp" "$CHK_BIN"
  echo "$chk_hash" >"$CHK_BIN.sha256"
fi

# --- Node dependencies (workspace root) ---------------------------------------------------------
cd "$ROOT"
if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ] ||
  { [ -e package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  # `npm install` (which follows the lock) rather than `npm ci`: the registry reachable here lacks
  # other platforms' optional packages (e.g. @biomejs/cli-darwin-*), npm leaves them out of the
  # lock, and `npm ci` then rejects the lock as out of sync. Retry once: another npm process may
  # hold the cache lock.
  try npm install --no-audit --no-fund --loglevel=error ||
    { sleep 5; step npm-install npm install --no-audit --no-fund --loglevel=error; }
fi
