# One image for every MedVault service; docker-compose.yml builds it per service with
# --build-arg SERVICE=<name>. Services run from TypeScript sources through tsx (no build step),
# exactly like the local stack does, so dev dependencies are installed on purpose.
FROM node:20-slim
WORKDIR /app
# Whole workspace first: npm needs every workspace's package.json (packages/*, services/*, infra).
# npm install follows the lock (npm ci rejects locks that lack other platforms' optional packages).
COPY . .
RUN npm install --no-audit --no-fund --loglevel=error \
  && mkdir -p /state/credentials && chown -R node:node /state
ARG SERVICE
ENV SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    MEDVAULT_CREDENTIALS_DIR=/state/credentials
USER node
# Per-service IAM credentials are written by the one-shot `provision` service into the shared
# /state volume; load them (when present) and become the service process.
CMD ["sh", "-c", "if [ -f \"$MEDVAULT_CREDENTIALS_DIR/$SERVICE.env\" ]; then set -a; . \"$MEDVAULT_CREDENTIALS_DIR/$SERVICE.env\"; set +a; fi; exec node --conditions=source --import tsx \"services/$SERVICE/src/main.ts\""]
