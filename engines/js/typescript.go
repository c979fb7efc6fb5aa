package js

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/go-sourcemap/sourcemap"
)

// TypeScript. A "#!ts" library or EVAL script is transpiled to JavaScript
// when it is compiled (FUNCTION LOAD, FUNCTION RESTORE, EVAL, SCRIPT
// LOAD), with esbuild's Go API, then compiled and run by this engine as
// any JavaScript: same realms, sandbox, API, conversions and errors. The
// core keeps the TypeScript source (FUNCTION LIST WITHCODE, FUNCTION
// DUMP), never the JavaScript.
//
// Types are erased, not checked (esbuild does not type-check): a type
// error is not an error. Syntax errors are esbuild's, at lines of the
// TypeScript source. The JavaScript carries an inline source map, so the
// positions of run-time errors are TypeScript lines too.

// NewTS returns the TypeScript engine: a JavaScript engine (with realms of
// its own) that transpiles the code it compiles.
func NewTS() *Engine {
	return &Engine{ts: true}
}

// tsOptions are esbuild's options but for the source file name.
//
// The target is ES2022, which goja implements but for a few features,
// marked unsupported so that esbuild lowers them: async generators and
// for await (to generators and promises); the RegExp d and v flags
// cannot be lowered, and esbuild turns such literals into RegExp
// constructor calls (an error when they run, not when the library loads).
// Features newer than ES2022 (using declarations, decorators, ...) are
// lowered because of the target.
var tsOptions = api.TransformOptions{
	Loader: api.LoaderTS,
	Target: api.ES2022,
	Supported: map[string]bool{
		"async-generator":      false,
		"for-await":            false,
		"regexp-match-indices": false,
		"regexp-set-notation":  false,
	},
	Sourcemap:      api.SourceMapInline,
	SourcesContent: api.SourcesContentExclude,
	LegalComments:  api.LegalCommentsNone,
}

// transpile turns TypeScript into JavaScript. skipped lines (the
// shebang) are prepended as empty lines, so that esbuild's error lines
// and the source map count them as the user does. src names the source
// in the map ("user_function", "user_script"), the name the engine
// reports positions against. An error reads as goja's syntax errors do:
//
//	user_function: Line 3:21 Expected ")" but found "{" (and 1 more errors)
func transpile(code []byte, skipped int, src string) ([]byte, error) {
	opts := tsOptions
	opts.Sourcefile = src
	res := api.Transform(strings.Repeat("\n", skipped)+string(code), opts)
	if len(res.Errors) == 0 {
		return res.Code, nil
	}
	m := res.Errors[0]
	msg := src + ": " + m.Text
	if l := m.Location; l != nil {
		msg = fmt.Sprintf("%s: Line %d:%d %s", src, l.Line, l.Column+1, m.Text)
	}
	if n := len(res.Errors) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more errors)", n)
	}
	return nil, fmt.Errorf("%s", msg)
}

// Prefixes the engine puts before the first line of the code it compiles
// (realm.go), which shift that line's columns.
const (
	libraryPrefix = "'use strict';"
	evalPrefix    = "(function (KEYS, ARGV) {'use strict';"
)

var positionRE = regexp.MustCompile(`(user_function|user_script): Line (\d+):(\d+)`)

// tsSyntaxError rewrites the position of a syntax error goja found in
// the JavaScript esbuild wrote (what esbuild accepts and goja does not:
// import and export, ...) into a TypeScript position, through the inline
// source map. Other errors, and positions the map does not cover, are
// returned as they are. eval says the code is an EVAL script's.
func tsSyntaxError(err error, js []byte, eval bool) error {
	msg := err.Error()
	m := positionRE.FindStringSubmatchIndex(msg)
	if m == nil || !strings.HasPrefix(msg, "ERR Error compiling") {
		return err
	}
	const marker = "//# sourceMappingURL=data:application/json;base64,"
	i := bytes.LastIndex(js, []byte(marker))
	if i < 0 {
		return err
	}
	data, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(js[i+len(marker):])))
	if derr != nil {
		return err
	}
	sm, perr := sourcemap.Parse("", data)
	if perr != nil {
		return err
	}
	line, _ := strconv.Atoi(msg[m[4]:m[5]])
	col, _ := strconv.Atoi(msg[m[6]:m[7]])
	if line == 1 {
		prefix := libraryPrefix
		if eval {
			prefix = evalPrefix
		}
		col = max(1, col-len(prefix))
	}
	_, _, tsLine, tsCol, ok := sm.Source(line, col-1)
	if !ok {
		return err
	}
	return errors.New(msg[:m[4]] + strconv.Itoa(tsLine) + ":" + strconv.Itoa(tsCol+1) + msg[m[7]:])
}
