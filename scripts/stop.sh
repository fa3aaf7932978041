#!/usr/bin/env bash
# `npm stop`: stops the services (draining in-flight work), then the infrastructure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/services.sh" stop
bash "$ROOT/infra/stack.sh" down
