package js

import (
	"fmt"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
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
