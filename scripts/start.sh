#!/usr/bin/env bash
# `npm start`: the whole local stack with one command on a fresh machine.
# Installs what is missing, starts LocalStack / FerretDB / Redis / clamd, provisions AWS resources
# (buckets, KMS keys, topic, queues, IAM users), creates the token keys, starts every service
# (the gateway seeds the bootstrap admin), waits until all are ready, and prints how to use it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/stack-up.sh
# The web console the gateway serves at / (web/dist): built when missing or older than its sources.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.ts -newer web/dist/index.html -print -quit)" ]; then
  npm run -s build -w web >/dev/null
fi
bash scripts/services.sh start
# shellcheck disable=SC1091
. infra/env/local.env
cat <<MSG

MedVault is up.
  Web console:        http://127.0.0.1:${GATEWAY_PORT}/   (sign in with the bootstrap admin below)
  API (gateway):      http://127.0.0.1:${GATEWAY_PORT}/v1      docs: http://127.0.0.1:${GATEWAY_PORT}/docs
  Bootstrap admin:    ${BOOTSTRAP_ADMIN_EMAIL} / ${BOOTSTRAP_ADMIN_PASSWORD}
  Internal services:  files :${FILES_PORT}  scanner :${SCANNER_PORT}  watermark :${WATERMARK_PORT}  appointments :${APPOINTMENTS_PORT}  notify :${NOTIFY_PORT}  audit :${AUDIT_PORT}  chat :${CHAT_PORT}
  Infrastructure:     AWS (LocalStack) ${AWS_ENDPOINT_URL}  MongoDB (FerretDB) ${MONGO_URL}  ${REDIS_URL}  clamd ${CLAMD_HOST}:${CLAMD_PORT}
  Status:             npm run stack status && bash scripts/services.sh status
  Logs:               .local/logs/<name>.log
  Stop everything:    npm stop
MSG
