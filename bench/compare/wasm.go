package main

import (
	"fmt"
	"os"
	"strings"
)

// WebAssembly against Lua: wasm_<name> tests run a Lua function on
// redis-server and the same function compiled to WebAssembly on polyfn,
// from the example of every guest SDK (engines/wasm/testdata: Go's
// example.wasm, C's example-c.wasm, Rust's example-rust.wasm and
// AssemblyScript's asexample.wasm), one library loaded at a time (they
// share function names). Ratios are against redis-server's Lua.
var wasmTests = []string{"wasm_ret1", "wasm_getset", "wasm_loop", "wasm_sha256"}

// wasmModules are the SDK examples compared, each with the same functions.
var wasmModules = []struct{ name, file string }{
	{"go", "engines/wasm/testdata/example.wasm"},
	{"c", "engines/wasm/testdata/example-c.wasm"},
	{"rust", "engines/wasm/testdata/example-rust.wasm"},
	{"as", "engines/wasm/testdata/asexample.wasm"},
}

// wasmCalls maps a test to the Lua FCALL (redis-server) and the wasm one.
var wasmCalls = map[string][2][]string{
	"ret1":   {{"FCALL", "ret1", "0"}, {"FCALL", "one", "0"}},
	"getset": {{"FCALL", "getset", "1", "bench:key", "value"}, {"FCALL", "set_get", "1", "bench:key", "value"}},
	"loop":   {{"FCALL", "loop", "0"}, {"FCALL", "sum_loop", "0", "1000"}},
	"sha256": {{"FCALL", "sha256", "0", shaInput}, {"FCALL", "sha256hex", "0", shaInput}},
}

const shaInput = "the-quick-brown-fox-jumps-over-the-lazy-dog"

func isWasmTest(test string) bool { return strings.HasPrefix(test, "wasm_") }

// compareWasm runs the wasm_<name> tests: for each SDK's library in
// turn, redis-server's Lua and polyfn's WebAssembly alternate round by
// round (alternate); the ratio is the median of the rounds' ratios
// and the cpu columns each server's CPU time per request (µs, median).
// The exec columns are each server's own account of one FCALL's
// execution (commandstats usec_per_call, µs, median): the function
// and the commands it runs, without the network, request parsing and
// reply writing that make up most of a request's cost; "faster" is
// the median of the rounds' redis-lua/wasm ratios of that time.
func compareWasm(redis, poly *server, tests []string, n, clients, rounds int) {
	load(redis.addr(), 1, func(int) []string { return []string{"FUNCTION", "LOAD", "REPLACE", luaSHA256Library} })
	fmt.Printf("\nFCALL, Lua on redis-server and WebAssembly on polyfn (ratio: wasm ops/s / redis-lua's)\n")
	fmt.Printf("%-12s %-5s %4s %10s %10s %7s %9s %9s %10s %9s %7s\n", "test", "sdk", "-P", "redis-lua", "wasm", "ratio", "cpu-redis", "cpu-wasm", "exec-redis", "exec-wasm", "faster")
	for _, m := range wasmModules {
		code, err := os.ReadFile(m.file)
		check(err)
		load(poly.addr(), 2, func(i int) []string {
			if i == 0 {
				return []string{"FUNCTION", "FLUSH"}
			}
			return []string{"FUNCTION", "LOAD", "#!wasm name=bench" + m.name + "\n" + string(code)}
		})
		for _, pipeline := range []int{1, 16} {
			for _, t := range tests {
				calls := wasmCalls[strings.TrimPrefix(t, "wasm_")]
				res := alternate(rounds,
					run{redis, func() float64 { return runRedisBenchmark(redis, n, clients, pipeline, calls[0]) }},
					run{poly, func() float64 { return runRedisBenchmark(poly, n, clients, pipeline, calls[1]) }})
				r, p := res[0], res[1]
				faster := make([]float64, rounds)
				for i := range faster {
					faster[i] = r.exec[i] / p.exec[i]
				}
				fmt.Printf("%-12s %-5s %4d %10.0f %10.0f %6.2fx %8.2fu %8.2fu %9.2fu %8.2fu %6.1fx\n", t, m.name, pipeline, median(r.ops), median(p.ops), median(p.ratio), median(r.cpu), median(p.cpu),
					median(r.exec), median(p.exec), median(faster))
			}
		}
	}
	// polyfn keeps the server's other libraries: the Lua benchmark
	// library again, for tests that follow.
	load(poly.addr(), 2, func(i int) []string {
		if i == 0 {
			return []string{"FUNCTION", "FLUSH"}
		}
		return []string{"FUNCTION", "LOAD", "REPLACE", scriptLibrary}
	})
}

// luaSHA256Library is SHA-256 in Lua (with Redis's bit library), for
// redis-server's side of wasm_sha256.
const luaSHA256Library = `#!lua name=benchsha
local K = {
0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2}
local function sha256(msg)
  local band, bor, bxor, bnot, rshift, lshift, ror, tobit = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rshift, bit.lshift, bit.ror, bit.tobit
  local ml = #msg
  local bits = ml * 8
  msg = msg .. '\128' .. string.rep('\0', (55 - ml) % 64) .. '\0\0\0\0' ..
    string.char(band(rshift(bits, 24), 255), band(rshift(bits, 16), 255), band(rshift(bits, 8), 255), band(bits, 255))
  local h0, h1, h2, h3, h4, h5, h6, h7 = 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local w = {}
  for p = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = string.byte(msg, p + i * 4, p + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 63 do
      local x, y = w[i - 15], w[i - 2]
      w[i] = tobit(w[i - 16] + bxor(ror(x, 7), ror(x, 18), rshift(x, 3)) + w[i - 7] + bxor(ror(y, 17), ror(y, 19), rshift(y, 10)))
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 0, 63 do
      local t1 = h + bxor(ror(e, 6), ror(e, 11), ror(e, 25)) + bxor(band(e, f), band(bnot(e), g)) + K[i + 1] + w[i]
      local t2 = bxor(ror(a, 2), ror(a, 13), ror(a, 22)) + bxor(band(a, b), band(a, c), band(b, c))
      h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    h0, h1, h2, h3 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d)
    h4, h5, h6, h7 = tobit(h4 + e), tobit(h5 + f), tobit(h6 + g), tobit(h7 + h)
  end
  return bit.tohex(h0) .. bit.tohex(h1) .. bit.tohex(h2) .. bit.tohex(h3) .. bit.tohex(h4) .. bit.tohex(h5) .. bit.tohex(h6) .. bit.tohex(h7)
end
redis.register_function{function_name = 'sha256', callback = function(keys, args) return sha256(args[1]) end, flags = {'no-writes'}}
`
