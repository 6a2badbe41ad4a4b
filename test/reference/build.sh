#!/usr/bin/env bash
# Builds runtime-tools' validator, `oci-runtime-tool`, from the tarball in ../shared/conformance
# into .reference/ (ignored), for the side-by-side test of `bindery validate`
# (helper/test/reference.test.ts). Offline: the Go modules come from the tarball's
# vendor/ folder. Needs Debian's golang-go.
#
# One change at link time: the tool fetches the runtime-spec JSON schema from GitHub for the
# spec's version; here it reads ../shared/reference/oci-schema instead (the `%.0s` drops the
# version the tool formats into the address).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$PWD/.reference
shared=$(cd .. && pwd)/shared
tarball=$shared/conformance/runtime-tools-260e151.tar.gz
schema=$shared/reference/oci-schema
[ -f "$tarball" ] || { echo "no $tarball" >&2; exit 1; }
stamp="$(sha256sum "$tarball" | cut -d' ' -f1) $schema"
if [ -x "$out/oci-runtime-tool" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "oci-runtime-tool is up to date in $out"
  exit 0
fi
rm -rf "$out/src" "$out/oci-runtime-tool" "$out/stamp"
mkdir -p "$out/src"
tar xzf "$tarball" -C "$out/src"
cd "$out/src/runtime-tools"
# Pure Go: no C compiler needed.
export CGO_ENABLED=0 GOFLAGS=-mod=vendor GOPROXY=off GOCACHE=$out/gocache GOPATH=$out/gopath
go build -trimpath \
  -ldflags "-X 'github.com/opencontainers/runtime-tools/validate.configSchemaTemplate=file://$schema/config-schema.json%.0s'" \
  -o "$out/oci-runtime-tool" ./cmd/oci-runtime-tool
rm -rf "$out/src"
echo "$stamp" >"$out/stamp"
echo "built $out/oci-runtime-tool"
