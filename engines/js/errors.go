package js

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// Errors, the way Redis reports them. An error that escapes a function
// (thrown and not caught, or a rejected promise) is answered as
//
//	<message> script: <function name>, on @<source>:<line>.
//
// as Lua's are, where source is user_function (libraries) or user_script
// (EVAL) and line the line of the innermost frame of the script (for an
// Error object, where it was created). The message is the error's own
// when it starts with an upper-case error code ("WRONGTYPE ...",
// "MYCODE ..."), else "ERR " followed by it; an Error that is not a plain
// Error shows its name ("ERR TypeError: x is not a function"). An error
// returned (not thrown) is answered as it is, without the position.

// rejection is the error of a promise the function returned that was
// rejected.
type rejection struct{ reason goja.Value }

func (e *rejection) Error() string { return e.reason.String() }

// errPending is the error of a promise that never settled: nothing can
// settle it once the function's jobs have run (there are no timers or I/O).
var errPending = errors.New("ERR the function returned a promise that never settled")

// settle awaits a returned promise: goja has run the job queue by the
// time the call returns, so the promise is settled or never will be.
func (r *realm) settle(res goja.Value) (goja.Value, error) {
	o, ok := res.(*goja.Object)
	if !ok || o.ExportType() != typePromise {
		return res, nil
	}
	p, ok := o.Export().(*goja.Promise)
	if !ok {
		return res, nil
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		return p.Result(), nil
	case goja.PromiseStateRejected:
		return nil, &rejection{reason: p.Result()}
	}
	return nil, errPending
}

// errorReply turns an error that escaped a function into its reply.
func (r *realm) errorReply(err error) core.Value {
	return core.ErrorValue(r.decorate(r.errorMessage(err), r.errorLine(err)))
}

// errorMessage is the reply text of err, without the position.
func (r *realm) errorMessage(err error) string {
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return "ERR Maximum call stack size exceeded"
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return "ERR " + fmt.Sprint(ie.Value())
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return r.valueMessage(ex.Value())
	}
	var rj *rejection
	if errors.As(err, &rj) {
		return r.valueMessage(rj.reason)
	}
	return withCode(err.Error())
}

// valueMessage is the reply text of a thrown value.
func (r *realm) valueMessage(v goja.Value) string {
	if o, ok := v.(*goja.Object); ok {
		if o.Prototype() == r.replyProto {
			return o.Get("message").String()
		}
		if o.ClassName() == "Error" {
			return withCode(errorText(o))
		}
	}
	if v == nil {
		return "ERR unknown error"
	}
	return withCode(v.String())
}

// errorText is an Error's message, with its name unless it is a plain
// Error.
func errorText(o *goja.Object) string {
	msg := ""
	if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
		msg = m.String()
	}
	name := "Error"
	if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
		name = n.String()
	}
	if name == "Error" || name == "" {
		return msg
	}
	if msg == "" {
		return name
	}
	return name + ": " + msg
}

// codeRE matches a message that starts with an error code: an upper-case
// word of two or more characters, then a space or the end.
var codeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]+( |$)`)

// withCode gives msg the ERR code unless it has one.
func withCode(msg string) string {
	if codeRE.MatchString(msg) {
		return msg
	}
	return "ERR " + msg
}

// decorate adds the script position to msg.
func (r *realm) decorate(msg string, line int) string {
	return fmt.Sprintf("%s script: %s, on @%s:%d.", msg, r.fname, r.src, line)
}

// errorLine is the script line an error was raised at (0 when unknown).
func (r *realm) errorLine(err error) int {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if l := r.line(ex.Stack()); l > 0 {
			return l
		}
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return r.line(ie.Stack())
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return r.line(so.Stack())
	}
	var rj *rejection
	if errors.As(err, &rj) {
		if o, ok := rj.reason.(*goja.Object); ok {
			if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
				return r.stackLine(st.String())
			}
		}
	}
	return 0
}

// line is the line of the innermost frame of the script's source.
func (r *realm) line(stack []goja.StackFrame) int {
	for i := range stack {
		if stack[i].SrcName() == r.src {
			return stack[i].Position().Line
		}
	}
	return 0
}

var stackLineRE = regexp.MustCompile(`(user_function|user_script):(\d+):`)

// stackLine reads the first script line from an Error's stack text.
func (r *realm) stackLine(stack string) int {
	if m := stackLineRE.FindStringSubmatch(stack); m != nil {
		n, _ := strconv.Atoi(m[2])
		return n
	}
	return 0
}
