#!/bin/sh
# Rebuilds the test modules in this directory: the hand-written WAT
# fixtures (wat/*.wat, needs wat2wasm from wabt), the Go SDK guests (the
# SDK example and guests/*, needs Go 1.24+) and the SDK examples of other
# languages whose toolchain is present. Run from anywhere; the output goes
# next to this script (or to $OUT when set). The wasm tests read $OUT
# instead of testdata when POLYFN_WASM_MODULES=$OUT.
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

# --- AssemblyScript SDK example (sdk/assemblyscript; node and npm) ---
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	(cd "$here/../sdk/assemblyscript" && npm ci --silent --no-audit --no-fund >/dev/null &&
		npx asc example/index.ts --config asconfig.json -o "$out/asexample.wasm")
else
	echo "build.sh: no node/npm, AssemblyScript example not rebuilt" >&2
	[ "$out" = "$here" ] || cp "$here/asexample.wasm" "$out/"
fi
# --- end AssemblyScript ---
