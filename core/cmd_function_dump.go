package core

import (
	"fmt"

	"github.com/polyfn/polyfn/core/rdb"
)

// FUNCTION DUMP and FUNCTION RESTORE: the libraries as an RDB payload
// (core/rdb), byte-compatible with Redis 7.0 both ways.

func registerFunctionDumpCommands(t *Table) {
	t.Add("function|dump", cmdFunctionDump)
	t.Add("function|restore", cmdFunctionRestore)
}

func cmdFunctionDump(ctx *Ctx) {
	libs := ctx.S.scripts.libs.sorted()
	codes := make([][]byte, len(libs))
	for i, l := range libs {
		codes[i] = l.Code
	}
	compress, _ := ctx.S.Config.Get("rdbcompression")
	ctx.W.WriteBulk(rdb.DumpFunctions(codes, compress == "yes"))
}

const errRestorePolicy = "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."

func cmdFunctionRestore(ctx *Ctx) {
	s := ctx.S
	const (
		policyAppend = iota
		policyReplace
		policyFlush
	)
	policy := policyAppend
	if len(ctx.Args) > 3 {
		switch {
		case len(ctx.Args) > 4:
			subcommandSyntaxError(ctx)
			return
		case ctx.ArgIs(3, "append"):
		case ctx.ArgIs(3, "replace"):
			policy = policyReplace
		case ctx.ArgIs(3, "flush"):
			policy = policyFlush
		default:
			ctx.Error(errRestorePolicy)
			return
		}
	}
	// Compile every library of the payload into a registry of its own
	// first: nothing changes unless all of them load.
	restored := newFunctionLibs()
	err := rdb.WalkFunctions(ctx.Args[2], s.skipChecksumValidation, func(code []byte) error {
		lib, err := s.compileLibrary(code)
		if err != nil {
			return err
		}
		if restored.libs[lib.Name] != nil {
			return fmt.Errorf(fmtLibExists, lib.Name)
		}
		return restored.add(lib)
	})
	if err != nil {
		ctx.Error(err.Error())
		return
	}
	var next *functionLibs
	if policy == policyFlush {
		next = restored
	} else {
		next = s.scripts.libs.clone()
		for _, lib := range restored.sorted() {
			if old := next.libs[lib.Name]; old != nil {
				if policy != policyReplace {
					ctx.Errorf("ERR Library %s already exists", lib.Name)
					return
				}
				next.remove(old)
			}
		}
		for _, lib := range restored.sorted() {
			if err := next.add(lib); err != nil {
				ctx.Error(err.Error())
				return
			}
		}
	}
	s.scripts.libs = next
	s.Dirty++
	ctx.OK()
}
