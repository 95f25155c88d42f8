# Tessera. `make demo` runs the whole platform locally; `make test` runs every test.
# Every target installs what it needs first (npm packages, Debian packages, the
# control-plane binaries), so both work on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Node 24 LTS is pinned through the npm `node` package; every target uses it.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
NPM_STAMP := node_modules/.package-lock.stamp

.PHONY: help deps system-deps tools crds crds-check build lint format test test-unit e2e bench demo \
        cluster-up cluster-down kind-up kind-deploy clean

help:
	@echo "make demo         run the whole platform locally and open a mini-program in a browser page"
	@echo "make test         lint, check generated files, run unit and end-to-end tests"
	@echo "make tools        build etcd, kube-apiserver, kube-controller-manager, kubectl, helm into bin/"
	@echo "make crds         regenerate crds/manifests from the zod schemas"
	@echo "make lint         biome (format + lint) and the TypeScript type check"
	@echo "make bench        run the benchmarks and print their figures"
	@echo "make cluster-up   start a local control plane and print its kubeconfig; make cluster-down stops it"

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NPM_STAMP)

system-deps:
	@e2e/tools/system-deps.sh

tools:
	@e2e/tools/build.sh

crds: deps
	node crds/src/generate.ts

crds-check: deps
	node crds/src/generate.ts --check

build: deps
	tsc -b
	npm run build --workspaces --if-present

lint: deps
	biome check .
	tsc -b

format: deps
	biome check --write .

test: deps system-deps tools crds-check lint
	vitest run

test-unit: deps
	vitest run --project unit

e2e: deps system-deps tools
	vitest run --project e2e

bench: deps system-deps tools
	npm run bench --workspaces --if-present

demo: deps system-deps tools
	@echo "make demo: not yet — the end-to-end demo lands with issue 7 (pod runner, CLI, chart)."
	@echo "Meanwhile: make cluster-up, then kubectl apply -f examples/bank/"

cluster-up: deps tools
	@node e2e/src/harness/cli.ts up

cluster-down: deps
	@node e2e/src/harness/cli.ts down

kind-up kind-deploy:
	@echo "$@: lands with the Helm chart (issue 7); it needs Docker and kind on your machine."

clean:
	rm -rf .tessera dist-types $(NPM_STAMP) */dist-types services/*/dist-types
