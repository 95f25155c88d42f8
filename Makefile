# Tessera. `make demo` runs the whole platform locally; `make test` runs every test.
# Every target installs what it needs first (npm packages, Debian packages, the
# control-plane binaries), so both work on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Node 24 LTS is pinned through the npm `node` package; every target uses it.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
NPM_STAMP := node_modules/.package-lock.stamp

.PHONY: help deps system-deps tools crds crds-check helm-lint sdk cli build lint format test test-unit e2e bench demo compat \
        cluster-up cluster-down kind-up kind-deploy clean

help:
	@echo "make demo         run the whole platform locally and open a mini-program in a browser page"
	@echo "make test         lint, check generated files, run unit and end-to-end tests"
	@echo "make tools        build etcd, kube-apiserver, kube-controller-manager, kubectl, helm into bin/"
	@echo "make crds         regenerate crds/manifests from the zod schemas"
	@echo "make lint         biome (format + lint) and the TypeScript type check"
	@echo "make bench        run the benchmarks and print their figures"
	@echo "make compat CORPUS=DIR  compatibility check of every mini-program under DIR (per app: pages compiled, causes)"
	@echo "make cluster-up   start a local control plane and print its kubeconfig; make cluster-down stops it"

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package-lock.json
	@# npm install, not npm ci: the registry reachable here lacks other platforms' optional
	@# binaries (e.g. @biomejs/cli-darwin-arm64), which npm ci insists on finding in the lock.
	npm install --no-audit --no-fund >&2
	@touch $@

deps: $(NPM_STAMP)

system-deps:
	@e2e/tools/system-deps.sh

tools:
	@e2e/tools/build.sh

# crds/manifests is the one source; the chart carries a copy (Helm installs CRDs from crds/).
crds: deps
	node crds/src/generate.ts
	cp crds/manifests/*.yaml charts/tessera/crds/
	cp crds/policies/tessera-status-owners.yaml charts/tessera/templates/status-owners-policy.yaml

crds-check: deps
	node crds/src/generate.ts --check
	@diff -r crds/manifests charts/tessera/crds || { echo "charts/tessera/crds differs from crds/manifests: run make crds"; exit 1; }
	@diff crds/policies/tessera-status-owners.yaml charts/tessera/templates/status-owners-policy.yaml || { echo "the chart's status-owners policy differs from crds/policies: run make crds"; exit 1; }

helm-lint: tools
	bin/helm lint charts/tessera

build: deps
	tsc -b
	npm run build --workspaces --if-present

lint: deps
	biome check .
	tsc -b

format: deps
	biome check --write .

test: deps system-deps tools sdk cli crds-check lint helm-lint
	vitest run

test-unit: deps
	vitest run --project unit

e2e: deps system-deps tools sdk cli
	vitest run --project e2e

bench: deps system-deps tools
	npm run bench --workspaces --if-present

# kubectl tessera compat over every mini-program (app.json / project.config.json) under CORPUS
compat: deps
	@test -n "$(CORPUS)" || { echo 'usage: make compat CORPUS=<folder with mini-programs>' >&2; exit 1; }
	node services/cli/bin/kubectl-tessera.js compat --recursive "$(CORPUS)"

# Rebuilt only when its sources change: tests that serve these files may run while a nested
# `make demo` (the README test) checks them.
SDK_BUNDLE := runtime-sdk/dist/tessera-web.iife.js
$(SDK_BUNDLE): $(shell find runtime-sdk/src runtime-sdk/scripts -name '*.ts' -not -name '*.test.ts') runtime-sdk/package.json $(NPM_STAMP)
	npm run build -w runtime-sdk

sdk: $(SDK_BUNDLE)

# The CLI bundle bin/kubectl-tessera.js runs (it falls back to the sources when they are newer).
CLI_BUNDLE := services/cli/dist/kubectl-tessera.mjs
$(CLI_BUNDLE): $(shell find services/cli/src services/compiler/src operator/runtime/src crds/src runtime-sdk/src/protocol runtime-sdk/src/package -name '*.ts' -not -name '*.test.ts') services/cli/scripts/build.ts $(NPM_STAMP)
	npm run build -w @tessera/cli

cli: $(CLI_BUNDLE)

demo: deps system-deps tools sdk cli
	node e2e/src/demo/main.ts

cluster-up: deps tools
	@node e2e/src/harness/cli.ts up

cluster-down: deps
	@node e2e/src/harness/cli.ts down

# For machines with Docker and kind (not needed for the demo or the tests).
KIND_CLUSTER ?= tessera
IMAGE_TAG ?= 0.1.0
kind-up:
	@command -v kind >/dev/null && command -v docker >/dev/null || { echo "$@ needs Docker and kind (https://kind.sigs.k8s.io)"; exit 1; }
	kind create cluster --name $(KIND_CLUSTER) --config charts/kind/kind-config.yaml

kind-deploy: tools
	@command -v kind >/dev/null && command -v docker >/dev/null || { echo "$@ needs Docker and kind"; exit 1; }
	for c in operator store compiler; do \
	  docker build --target $$c -t tessera/$$c:$(IMAGE_TAG) . && \
	  kind load docker-image --name $(KIND_CLUSTER) tessera/$$c:$(IMAGE_TAG); done
	bin/kubectl --context kind-$(KIND_CLUSTER) create namespace tessera-system --dry-run=client -o yaml | bin/kubectl --context kind-$(KIND_CLUSTER) apply -f -
	bin/kubectl --context kind-$(KIND_CLUSTER) -n tessera-system apply -f charts/kind/dev-dependencies.yaml
	bin/helm upgrade --install tessera charts/tessera --kube-context kind-$(KIND_CLUSTER) -n tessera-system \
	  --set image.tag=$(IMAGE_TAG) --set image.pullPolicy=Never --set store.service.type=NodePort --set store.service.nodePort=30080 --wait
	@echo "store: http://127.0.0.1:8080"

clean:
	rm -rf .tessera dist-types $(NPM_STAMP) */dist-types services/*/dist-types
