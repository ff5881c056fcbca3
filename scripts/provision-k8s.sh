#!/usr/bin/env bash
# Provides a kube-apiserver and an etcd for the sandbox (and openssl and time, see below) and
# prints the folder that holds them.
#
# Order (envtest's convention, so users can bring any Kubernetes version):
#   1. $KUBEBUILDER_ASSETS, if it holds both kube-apiserver and etcd;
#   2. the cache: ${XDG_CACHE_HOME:-~/.cache}/kubectl-failover/k8s-1.20.2;
#   3. a build from Debian bookworm's kubernetes source package (1.20.2, vendor/ included)
#      with Debian's Go, and Debian's etcd-server. Needs root and apt; takes minutes once.
# stdout carries only the folder. stderr gets one line per phase; the tools' own output (apt, dpkg,
# the Go build) goes to ${XDG_CACHE_HOME:-~/.cache}/kubectl-failover/logs/provision-k8s.log, which
# an error names (scripts/lib/quiet.sh).
set -euo pipefail
source "$(dirname "$0")/lib/quiet.sh"
KF_LOG="$kf_cache/logs/provision-k8s.log"

# Tools the sandbox and the benchmark use beside the servers: openssl issues the sandbox's client
# certificates (Node cannot make X.509 certificates); /usr/bin/time gives the benchmark's peak memory.
missing=()
command -v openssl >/dev/null || missing+=(openssl)
[[ -x /usr/bin/time ]] || missing+=(time)
install_missing "${missing[@]}"

if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

K8S_VERSION=1.20.2
cache="$kf_cache/k8s-$K8S_VERSION"
if [[ -x "$cache/kube-apiserver" && -x "$cache/etcd" ]]; then
  echo "$cache"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  say "no kube-apiserver/etcd found and no apt-get to build them."
  say "set KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd (e.g. from setup-envtest)."
  exit 2
fi

say "building kube-apiserver $K8S_VERSION from Debian's source package (once; about 5 minutes on 2 cores; log: $KF_LOG)"
work=$(mktemp -d "${TMPDIR:-/tmp}/kf-k8s-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

phase "installing build tools and etcd from Debian (golang-go make rsync dpkg-dev etcd-server reflect2)" \
  apt_install golang-go make rsync dpkg-dev etcd-server golang-github-modern-go-reflect2-dev ca-certificates

# A private sources list, state and cache so the system's own apt configuration is untouched.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/sources.list.d"
# The deb-src entry is derived from the system's own apt sources (its mirror, proxy and keys), so a
# user behind their own mirror builds from it: see scripts/apt-deb-src.sh.
bash "$(dirname "$0")/apt-deb-src.sh" bookworm > "$work/apt/sources.list.d/deb-src.sources" || {
  say "found no Debian archive among the system's apt sources to take the kubernetes source package from"
  exit 2
}
aptopts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root")
fetch_source() {
  apt-get "${aptopts[@]}" update -qq
  (cd "$work" && apt-get "${aptopts[@]}" source -qq kubernetes)
}
phase "fetching the kubernetes source package" fetch_source
src=$(find "$work" -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
[[ -n "$src" ]] || { say "apt-get source kubernetes gave no tree; full log: $KF_LOG"; exit 1; }

# reflect2 1.0.1 (vendored) crashes under Go >= 1.18 as soon as a custom resource is created.
say "replacing vendored modern-go/reflect2 with Debian's 1.0.2"
rm -rf "$src/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"

mkdir -p "$work/go/src/k8s.io"
ln -s "$src" "$work/go/src/k8s.io/kubernetes"
compile() (
  cd "$work/go/src/k8s.io/kubernetes"
  export GOPATH="$work/go" GO111MODULE=off CGO_ENABLED=0 GOFLAGS="" GOCACHE="$work/gocache"
  make WHAT=cmd/kube-apiserver KUBE_VERBOSE=0
)
phase "compiling kube-apiserver (make WHAT=cmd/kube-apiserver)" compile
bin=$(find "$src/_output" -type f -name kube-apiserver -perm -u+x | head -1)
[[ -n "$bin" ]] || { say "build produced no kube-apiserver; full log: $KF_LOG"; exit 1; }

mkdir -p "$cache"
cp "$bin" "$cache/kube-apiserver.tmp" && mv "$cache/kube-apiserver.tmp" "$cache/kube-apiserver"
cp "$(command -v etcd || echo /usr/bin/etcd)" "$cache/etcd.tmp" && mv "$cache/etcd.tmp" "$cache/etcd"
say "cached in $cache"
echo "$cache"
