# syntax=docker/dockerfile:1
# Shipshape's image: the dashboard (`shipshape start`) and the job worker
# (`shipshape worker`) from one image. Build it with an SBOM and max-mode
# provenance so that it grades itself an A (see docs/deploy.md):
#
#   docker buildx build --pull --sbom=true --provenance=mode=max \
#     --build-arg NODE_DIGEST=$(docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}' | tr -d '"') \
#     -t registry.example.com/platform/shipshape:1.0 --push .

ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim
# The digest of NODE_IMAGE that the build used, recorded in the base-image labels.
ARG NODE_DIGEST=""

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY bin/generate-prisma-client.js bin/
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG NODE_IMAGE
ARG NODE_DIGEST
LABEL org.opencontainers.image.title="Shipshape" \
      org.opencontainers.image.description="Self-hosted dashboard that grades every image tag of a container registry from A to F." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}" \
      org.opencontainers.image.base.digest="${NODE_DIGEST}"
RUN apt-get update \
    && apt-get upgrade -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 shipshape \
    && useradd --system --uid 10001 --gid shipshape --home-dir /app --shell /usr/sbin/nologin shipshape
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /data && chown shipshape:shipshape /data
USER 10001:10001
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["npx", "--no-install", "tsx", "--max-semi-space-size=2", "bin/shipshape.ts"]
CMD ["start"]
