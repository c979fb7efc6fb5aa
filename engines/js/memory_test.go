package js_test

import (
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/js"
)

// INFO memory reports the engine's estimate (memory.go): the EVAL realm
// once a script is compiled, until SCRIPT FLUSH; a library's realm until
// it is deleted and collected.
func TestInfoVMMemory(t *testing.T) {
	reg := core.NewRegistry()
	reg.Register("js", js.New()) // only this engine, so the figures are its own
	c := conformance.Dial(t, conformance.StartPolyfnWith(t, reg))
	vm := func(field string) int64 {
		t.Helper()
		m := regexp.MustCompile(field + `:(\d+)`).FindStringSubmatch(do(t, c, "INFO", "memory"))
		if m == nil {
			t.Fatalf("INFO memory has no %s", field)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	if e, f := vm("used_memory_vm_eval"), vm("used_memory_vm_functions"); e != 0 || f != 0 {
		t.Fatalf("nothing loaded: eval %d, functions %d", e, f)
	}
	load(t, c, "#!js name=m\nredis.registerFunction('f', () => 1)")
	one := vm("used_memory_vm_functions")
	if one < 200<<10 {
		t.Errorf("one library: used_memory_vm_functions %d, want at least a realm's 200 KB", one)
	}
	load(t, c, "#!js name=m2\nredis.registerFunction('g', () => 2)")
	if two := vm("used_memory_vm_functions"); two < 2*(200<<10) {
		t.Errorf("two libraries: used_memory_vm_functions %d", two)
	}
	if got := do(t, c, "EVAL", "#!js\nreturn 1", "0"); got != ":1\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	if e := vm("used_memory_vm_eval"); e < 400<<10 {
		t.Errorf("after EVAL: used_memory_vm_eval %d, want the realm's 400+ KB", e)
	}
	if tot := vm("used_memory_vm_total"); tot != vm("used_memory_vm_eval")+vm("used_memory_vm_functions") {
		t.Errorf("used_memory_vm_total %d is not the sum", tot)
	}
	do(t, c, "SCRIPT", "FLUSH")
	if e := vm("used_memory_vm_eval"); e != 0 {
		t.Errorf("after SCRIPT FLUSH: used_memory_vm_eval %d", e)
	}
	// A deleted library's share goes when its realm is collected.
	do(t, c, "FUNCTION", "DELETE", "m2")
	deadline := time.Now().Add(5 * time.Second)
	for vm("used_memory_vm_functions") != one && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if f := vm("used_memory_vm_functions"); f != one {
		t.Errorf("after FUNCTION DELETE and GC: used_memory_vm_functions %d, want %d", f, one)
	}
}
