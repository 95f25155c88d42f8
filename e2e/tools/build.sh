#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kubectl and helm from
# their Go modules into bin/ (see e2e/tools/*/go.mod for why each has its own
# wrapper module). Idempotent: a version stamp makes a second run a no-op, and
# built binaries are cached per version under ~/.cache/tessera/tools so a fresh
# clone on the same machine only copies them.
# TESSERA_TOOLS_DIR=/path skips the build and uses binaries installed there.
set -euo pipefail
exec 1>&2 # progress only; stdout stays clean for `eval "$(make -s cluster-up)"`
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
tools=(etcd kube-apiserver kube-controller-manager kubectl helm)

if [[ -n "${TESSERA_TOOLS_DIR:-}" ]]; then
  for t in "${tools[@]}"; do
    [[ -x "$TESSERA_TOOLS_DIR/$t" ]] || { echo "TESSERA_TOOLS_DIR=$TESSERA_TOOLS_DIR has no executable $t" >&2; exit 1; }
  done
  echo "tools: using $TESSERA_TOOLS_DIR"
  exit 0
fi

command -v go >/dev/null || { echo "tools: Go is required to build the control plane (https://go.dev/dl, or set TESSERA_TOOLS_DIR)" >&2; exit 1; }
stamp="k8s=$KUBERNETES_VERSION etcd=$ETCD_VERSION helm=$HELM_VERSION $(go env GOVERSION) $(cat "$here"/*/go.mod "$here"/*/go.sum | sha256sum | cut -c1-12)"
bin="$root/bin"
if [[ -f "$bin/.stamp" && "$(cat "$bin/.stamp")" == "$stamp" ]] && all_present=1 && for t in "${tools[@]}"; do [[ -x "$bin/$t" ]] || all_present=0; done && [[ $all_present == 1 ]]; then
  echo "tools: up to date ($stamp)"
  exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/tessera/tools/$(echo "$stamp" | sha256sum | cut -c1-16)"
mkdir -p "$bin"
if [[ -f "$cache/.stamp" ]]; then
  echo "tools: copying cached build from $cache"
  for t in "${tools[@]}"; do cp "$cache/$t" "$bin/$t"; done
  echo "$stamp" > "$bin/.stamp"
  exit 0
fi

start=$(date +%s)
ver() { echo "${1#v}"; }
kmajor=$(ver "$KUBERNETES_VERSION" | cut -d. -f1); kminor=$(ver "$KUBERNETES_VERSION" | cut -d. -f2)
echo "tools: building kube-apiserver, kube-controller-manager, kubectl $KUBERNETES_VERSION (several minutes the first time)"
(cd "$here/kube" && go build -trimpath -ldflags "-s -w \
  -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION \
  -X k8s.io/component-base/version.gitMajor=$kmajor -X k8s.io/component-base/version.gitMinor=$kminor \
  -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION" \
  -o "$bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl)
echo "tools: building etcd $ETCD_VERSION"
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
echo "tools: building helm $HELM_VERSION"
(cd "$here/helm" && go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" -o "$bin/helm" helm.sh/helm/v4/cmd/helm)

mkdir -p "$cache"
for t in "${tools[@]}"; do cp "$bin/$t" "$cache/$t"; done
echo "$stamp" > "$cache/.stamp"
echo "$stamp" > "$bin/.stamp"
echo "tools: built in $(( $(date +%s) - start )) s"
