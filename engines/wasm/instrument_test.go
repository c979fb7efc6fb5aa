package wasm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Every test module instruments into a module wazero accepts, with the
// interrupt global exported (the loop checks are tested by the kill and
// load-timeout tests through a server).
func TestInstrumentModules(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.wasm")
	if len(files) < 10 {
		t.Fatalf("test modules: %v", files)
	}
	rt := wazero.NewRuntime(t.Context())
	defer rt.Close(t.Context())
	for _, f := range files {
		mod, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := instrument(mod)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if bytes.Equal(out, mod) {
			t.Errorf("%s: unchanged", f)
			continue
		}
		cm, err := rt.CompileModule(t.Context(), out)
		if err != nil {
			if !bytes.Contains([]byte(err.Error()), []byte("over limit")) { // bigmem
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		if !bytes.Contains(out, []byte(interruptExport)) {
			t.Errorf("%s: no %s export", f, interruptExport)
		}
		cm.Close(t.Context())
	}
	// Not a module: left for the compiler to refuse.
	if out, err := instrument([]byte("nope")); err != nil || string(out) != "nope" {
		t.Errorf("garbage: %q %v", out, err)
	}
	// A module exporting a reserved name is refused.
	wat := []byte("\x00asm\x01\x00\x00\x00" + "\x05\x03\x01\x00\x01" + "\x07\x14\x01\x10polyfn_interrupt\x02\x00")
	if _, err := instrument(wat); err == nil {
		t.Error("reserved export accepted")
	}
}

// plainAndInstrumented instantiates the module in file as it is and
// instrumented, for tests that compare the two; out is the instrumented
// bytes.
func plainAndInstrumented(t *testing.T, ctx context.Context, rt wazero.Runtime, file string) (plain, inst api.Module, out []byte) {
	t.Helper()
	mod, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if out, err = instrument(mod); err != nil {
		t.Fatal(err)
	}
	if plain, err = rt.InstantiateWithConfig(ctx, mod, wazero.NewModuleConfig().WithName("plain")); err != nil {
		t.Fatal(err)
	}
	if inst, err = rt.InstantiateWithConfig(ctx, out, wazero.NewModuleConfig().WithName("instrumented")); err != nil {
		t.Fatal(err)
	}
	return plain, inst, out
}

// The loop wrappers keep every loop shape's meaning (results, branches
// out of nested loops, br_table, return, parameters, several results),
// and a loop spinning with the interrupt flag set traps.
func TestInstrumentLoops(t *testing.T) {
	// (a wrong branch could loop forever: wazero stops it at the deadline)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(true))
	defer rt.Close(ctx)
	plain, inst, _ := plainAndInstrumented(t, ctx, rt, "testdata/loops.wasm")
	for _, fn := range []string{"sum", "nested", "find", "params", "multi", "brout"} {
		for _, n := range []uint64{0, 1, 2, 7, 49, 50, 1000, 40000} {
			want, err := plain.ExportedFunction(fn).Call(ctx, n)
			if err != nil {
				t.Fatalf("%s(%d): %v", fn, n, err)
			}
			got, err := inst.ExportedFunction(fn).Call(ctx, n)
			if err != nil || len(got) != 1 || got[0] != want[0] {
				t.Errorf("%s(%d): %v %v, want %v", fn, n, got, err, want)
			}
		}
	}
	flag, ok := inst.ExportedGlobal(interruptExport).(api.MutableGlobal)
	if !ok {
		t.Fatal("no interrupt global")
	}
	flag.Set(1)
	if _, err := inst.ExportedFunction("spin").Call(ctx); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("spin with the flag set: %v", err)
	}
}

// Functions that call nothing from inside their loops count in a local
// of their own, stored back to the global around calls and on the way
// out: with the interrupt flag set, a spinner traps at the first slow
// path, after exactly yieldEvery loop heads in all, whichever functions
// ran them (each loop body bumps a cell in memory; the head that hits
// zero runs no body).
func TestInstrumentCountsAcrossFunctions(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(true))
	defer rt.Close(ctx)
	mod, err := os.ReadFile("testdata/loops.wasm")
	if err != nil {
		t.Fatal(err)
	}
	out, locals, err := instrumentCounting(mod)
	if err != nil {
		t.Fatal(err)
	}
	// sum, nested, find, params, brout, spin, $leaf, $mixed; not $two
	// (two results), multi and $bump (no loop), the spinners (a call in
	// their loop).
	if locals != 8 {
		t.Errorf("%d functions count in a local, want 8", locals)
	}
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, spinner := range []string{"spin_leaf", "spin_mixed"} {
		for _, k := range []uint64{1, 7, 100, yieldEvery + 10} {
			n++
			inst, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(fmt.Sprint("count", n)))
			if err != nil {
				t.Fatal(err)
			}
			inst.ExportedGlobal(interruptExport).(api.MutableGlobal).Set(1)
			if _, err := inst.ExportedFunction(spinner).Call(ctx, k); err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Fatalf("%s(%d) with the flag set: %v", spinner, k, err)
			}
			total := uint32(0)
			for at := uint32(0); at < 16; at += 4 {
				v, _ := inst.Memory().ReadUint32Le(at)
				total += v
			}
			if total != yieldEvery-1 {
				t.Errorf("%s(%d): %d loop bodies ran before the slow path, want %d", spinner, k, total, yieldEvery-1)
			}
			inst.Close(ctx)
		}
	}
}

// memory.fill becomes a call to the fill function: the same bytes
// written, the same traps (before anything is written), at every size
// and edge of memory, before and after it grows.
func TestInstrumentFill(t *testing.T) {
	ctx := t.Context()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	plain, inst, out := plainAndInstrumented(t, ctx, rt, "testdata/fills.wasm")
	if !bytes.Contains(out, fillBody) {
		t.Fatal("memory.fill was not replaced by the fill function")
	}
	page := uint64(65536)
	type fill struct{ d, v, n uint64 }
	check := func(cases []fill) {
		t.Helper()
		for _, c := range cases {
			_, werr := plain.ExportedFunction("fill").Call(ctx, c.d, c.v, c.n)
			_, gerr := inst.ExportedFunction("fill").Call(ctx, c.d, c.v, c.n)
			if (werr == nil) != (gerr == nil) {
				t.Errorf("fill(%d, %#x, %d): error %v, want %v", c.d, c.v, c.n, gerr, werr)
			}
			want, _ := plain.Memory().Read(0, plain.Memory().Size())
			got, _ := inst.Memory().Read(0, inst.Memory().Size())
			if !bytes.Equal(got, want) {
				t.Fatalf("fill(%d, %#x, %d): memory differs", c.d, c.v, c.n)
			}
		}
	}
	var cases []fill
	for n := uint64(0); n <= fillSmall+2; n++ {
		cases = append(cases, fill{d: 3 + 97*n, v: 0x180 + 3*n, n: n}) // v's high bits ignored
	}
	cases = append(cases,
		fill{0, 0xAB, 1000}, fill{5, 0, 200},
		fill{page - 10, 7, 10}, fill{page - 64, 8, 64}, // up to the end
		fill{page - 10, 9, 11}, fill{page - 60, 9, 64}, // one past: trap
		fill{page, 1, 0},                                // at the end, nothing: valid
		fill{page + 1, 1, 0},                            // past it: trap
		fill{0xFFFFFFF0, 1, 32}, fill{1, 1, 0xFFFFFFFF}, // wrapping
	)
	check(cases)
	for _, m := range []api.Module{plain, inst} {
		if r, err := m.ExportedFunction("grow").Call(ctx); err != nil || r[0] != 1 {
			t.Fatalf("grow: %v %v", r, err)
		}
	}
	check([]fill{{page - 5, 3, 40}, {2*page - 8, 4, 8}, {2*page - 8, 4, 9}, {2 * page, 4, 0}})
}

// Whatever the bytes, instrument returns an error or a module, without
// panicking; and a module wazero compiles still compiles instrumented
// (a wrong branch depth, local index or block type would not validate).
func FuzzInstrument(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.wasm")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	rt := wazero.NewRuntimeWithConfig(context.Background(), wazero.NewRuntimeConfig().WithMemoryLimitPages(16))
	defer rt.Close(context.Background())
	f.Fuzz(func(t *testing.T, mod []byte) {
		out, err := instrument(mod)
		if err != nil {
			return
		}
		cm, err := rt.CompileModule(context.Background(), mod)
		if err != nil {
			return
		}
		cm.Close(context.Background())
		cm, err = rt.CompileModule(context.Background(), out)
		if err != nil {
			t.Fatalf("the module compiles, instrumented it does not: %v", err)
		}
		cm.Close(context.Background())
	})
}
