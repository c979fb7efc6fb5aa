#!/bin/sh
# Rebuilds the test modules in this directory: the hand-written WAT
# fixtures (wat/*.wat, needs wat2wasm from wabt) and the Go SDK guests
# (the SDK example and guests/*, needs Go 1.24+). Run from anywhere; the
# output goes next to this script (or to $OUT when set).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}
mkdir -p "$out"
for f in "$here"/wat/*.wat; do
	wat2wasm "$f" -o "$out/$(basename "$f" .wat).wasm"
done
gobuild() { # output, package dir
	(cd "$here/../../.." && GOOS=wasip1 GOARCH=wasm go build -trimpath -buildvcs=false \
		-buildmode=c-shared -o "$1" "$2")
}
gobuild "$out/example.wasm" ./engines/wasm/sdk/go/example
for d in "$here"/guests/*/; do
	name=$(basename "$d")
	gobuild "$out/$name.wasm" "./engines/wasm/testdata/guests/$name"
done
