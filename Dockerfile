# syntax=docker/dockerfile:1
# The Tessera images, one build target each. Build from the repository root (the build context
# must hold the whole npm workspace):
#   docker build --target operator -t tessera/operator:0.1.0 .
#   docker build --target store    -t tessera/store:0.1.0 .
#   docker build --target compiler -t tessera/compiler:0.1.0 .
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step: an
# install stage per image puts only that image's production dependencies in place (with the
# lockfile), and the image adds the sources of the workspaces it imports. Images run as an
# unprivileged numeric user and never write outside mounted volumes (read-only root filesystem
# friendly; the chart mounts an emptyDir at /tmp).
ARG NODE_IMAGE=node:24.21.0-trixie-slim

# every workspace manifest of the root package.json: npm ci checks them against the lockfile
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY crds/package.json crds/
COPY operator/runtime/package.json operator/runtime/
COPY operator/package.json operator/
COPY crds/gray/package.json crds/gray/
COPY services/compiler/package.json services/compiler/
COPY services/store/package.json services/store/
COPY services/cli/package.json services/cli/
COPY runtime-sdk/package.json runtime-sdk/
COPY e2e/package.json e2e/
ENV NPM_CI="npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  --workspace=@tessera/crds --workspace=@tessera/gray --workspace=@tessera/runtime-sdk"

FROM manifests AS operator-deps
RUN $NPM_CI --workspace=@tessera/controller-runtime --workspace=@tessera/operator && npm cache clean --force

FROM manifests AS store-deps
# the store's release watch runs on the controller runtime the operator is built on
RUN $NPM_CI --workspace=@tessera/controller-runtime --workspace=@tessera/store && npm cache clean --force

FROM manifests AS compiler-deps
RUN $NPM_CI --workspace=@tessera/compiler && npm cache clean --force

# the shared workspaces every image imports; files stay owned by root and read-only for the
# user (65532, as in the chart and the compile Job, so runAsNonRoot can verify it)
FROM ${NODE_IMAGE} AS base
ENV NODE_ENV=production
WORKDIR /app
COPY crds/src crds/src
COPY crds/gray/src crds/gray/src
COPY runtime-sdk/src runtime-sdk/src
USER 65532:65532

FROM base AS operator
COPY --from=operator-deps /app ./
COPY operator/runtime/src operator/runtime/src
COPY operator/src operator/src
EXPOSE 8081
ENTRYPOINT ["node", "/app/operator/src/main.ts"]

FROM base AS store
COPY --from=store-deps /app ./
COPY operator/runtime/src operator/runtime/src
COPY services/store/src services/store/src
EXPOSE 8080
ENTRYPOINT ["node", "/app/services/store/src/main.ts"]

FROM base AS compiler
COPY --from=compiler-deps /app ./
COPY services/compiler/src services/compiler/src
ENTRYPOINT ["node", "/app/services/compiler/src/job/main.ts"]
