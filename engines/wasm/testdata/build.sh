#!/bin/sh
# Rebuilds the test modules in this directory. Run from anywhere; the
# output goes next to this script (or to $OUT when set). Arguments choose
# what to build (default: all of them):
#
#   wat   the hand-written fixtures wat/*.wat (wat2wasm, from wabt)
#   go    the Go SDK's example and guests/* (Go 1.24+)
#   c     the C SDK's example and guests-c/*.c (clang with the wasm32-wasi
#         target, wasm-ld, wasi-libc)
#   rust  the Rust SDK's example and guests-rust/*.rs (Debian's rustc 1.63 with the
#         wasm32-unknown-unknown standard library; $RUSTC to choose one)
#   as    the AssemblyScript SDK's example (node and npm; npm ci fetches
#         assemblyscript from the npm registry)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}
sdk=$here/../sdk
mkdir -p "$out"
parts=${*:-wat go c rust as}

build_wat() {
	for f in "$here"/wat/*.wat; do
		wat2wasm "$f" -o "$out/$(basename "$f" .wat).wasm"
	done
}

build_go() {
	gobuild() { # output, package dir
		(cd "$here/../../.." && GOOS=wasip1 GOARCH=wasm go build -trimpath -buildvcs=false \
			-buildmode=c-shared -o "$1" "$2")
	}
	gobuild "$out/example.wasm" ./engines/wasm/sdk/go/example
	for d in "$here"/guests/*/; do
		name=$(basename "$d")
		gobuild "$out/$name.wasm" "./engines/wasm/testdata/guests/$name"
	done
}

# C: a WASI reactor. -nodefaultlibs leaves out compiler-rt's builtins
# archive, which the SDK does not need (Debian ships it separately, in
# libclang-rt-14-dev-wasm32).
build_c() {
	cbuild() { # output, source
		clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -mexec-model=reactor \
			-nodefaultlibs -lc -Wl,--strip-all -o "$1" "$2"
	}
	cbuild "$out/example-c.wasm" "$sdk/c/example/example.c"
	for f in "$here"/guests-c/*.c; do
		cbuild "$out/$(basename "$f" .c)-c.wasm" "$f"
	done
}

# Rust: the SDK crate's unit tests (native), then the crate as an rlib
# and the example as a cdylib linking it.
build_rust() {
	rustc=${RUSTC:-/usr/bin/rustc}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	"$rustc" --edition 2021 --test -o "$tmp/polyfn-test" "$sdk/rust/src/lib.rs"
	"$tmp/polyfn-test" -q >/dev/null
	flags="--edition 2021 --target wasm32-unknown-unknown -C opt-level=2 -C panic=abort"
	# shellcheck disable=SC2086
	"$rustc" $flags --crate-type rlib --crate-name polyfn -o "$tmp/libpolyfn.rlib" "$sdk/rust/src/lib.rs"
	rustlib() { # output, crate root
		# shellcheck disable=SC2086
		"$rustc" $flags --crate-type cdylib --crate-name "$(basename "$1" .wasm | tr - _)" -C strip=symbols -C lto \
			--extern polyfn="$tmp/libpolyfn.rlib" -o "$1" "$2"
	}
	rustlib "$out/example-rust.wasm" "$sdk/rust/example/src/lib.rs"
	for f in "$here"/guests-rust/*.rs; do
		rustlib "$out/$(basename "$f" .rs)-rust.wasm" "$f"
	done
}

# AssemblyScript: the SDK's example with the pinned asc (package-lock.json).
build_as() {
	(cd "$sdk/assemblyscript" && npm ci --silent --no-audit --no-fund >/dev/null &&
		npx asc example/index.ts --config asconfig.json -o "$out/asexample.wasm")
}

for p in $parts; do
	case $p in
	wat | go | c | rust | as) "build_$p" ;;
	*)
		echo "build.sh: unknown part $p (wat, go, c, rust, as)" >&2
		exit 2
		;;
	esac
done
