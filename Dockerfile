# syntax=docker/dockerfile:1
# One Dockerfile for every MedVault service: docker-compose.yml builds it per service with
# --build-arg SERVICE=<name>. Three stages:
#   build    - the whole workspace with dev dependencies; compiles TypeScript to JS with turbo
#              (packages/common and the service: `turbo run build --filter=@medvault/<name>...`).
#              Also the `tools` target (provisioning, scripts), which keeps tsx.
#   prod     - production dependencies of that one service only (npm --omit=dev -w), plus the
#              compiled dist/ of the service and of @medvault/common.
#   runtime  - node:20-slim, non-root, nothing but /app; runs `node services/<name>/dist/main.js`.
#              Writes nothing to its filesystem: run it with a read-only root (compose does) and
#              a tmpfs on /tmp (the scanner's encrypted temporary archive copies).
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# npm install follows the lock (npm ci rejects locks that lack other platforms' optional packages).
COPY package.json package-lock.json ./
COPY packages/common/package.json packages/common/
COPY services/gateway/package.json services/gateway/
COPY services/files/package.json services/files/
COPY services/scanner/package.json services/scanner/
COPY services/watermark/package.json services/watermark/
COPY services/appointments/package.json services/appointments/
COPY services/notify/package.json services/notify/
COPY services/audit/package.json services/audit/
COPY infra/package.json infra/
RUN npm install --no-audit --no-fund --loglevel=error
COPY . .
ARG SERVICE
RUN if [ -d "services/${SERVICE}" ]; then npx turbo run build --filter="@medvault/${SERVICE}..."; fi

# One-shot tools (provisioning): the workspace as built above, sources run through tsx.
FROM build AS tools
RUN mkdir -p /state/credentials && chown -R node:node /state
USER node

FROM build AS prod
ARG SERVICE
# The workspace manifests only, then the production dependencies of the one service (npm resolves
# the workspace link to @medvault/common and its dependencies), then the compiled code.
RUN mkdir -p /out \
  && cp package.json package-lock.json /out/ \
  && for d in packages/* services/* infra; do mkdir -p "/out/$d" && cp "$d/package.json" "/out/$d/"; done \
  && cd /out \
  && npm install --omit=dev --workspace="services/${SERVICE}" --no-audit --no-fund --loglevel=error \
  && npm cache clean --force \
  && cp -r /app/packages/common/dist /out/packages/common/dist \
  && cp -r "/app/services/${SERVICE}/dist" "/out/services/${SERVICE}/dist"

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    MEDVAULT_CREDENTIALS_DIR=/state/credentials
WORKDIR /app
COPY --from=prod --chown=root:root /out /app
# Runs as `node` (uid 1000) and owns none of /app: the code cannot be changed at run time.
USER node
# Per-service IAM credentials are written by the one-shot `provision` service into the shared
# /state volume; load them (when present) and become the service process (plain node, no tsx).
CMD ["sh", "-c", "if [ -f \"$MEDVAULT_CREDENTIALS_DIR/$SERVICE.env\" ]; then set -a; . \"$MEDVAULT_CREDENTIALS_DIR/$SERVICE.env\"; set +a; fi; exec node \"services/$SERVICE/dist/main.js\""]
