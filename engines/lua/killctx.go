package lua

import (
	"context"
)

// pollContext is the context a Lua state runs under. gopher-lua checks
// its context before every instruction, with a select on Done(); a
// receive from a nil channel is the cheapest case of that select, so
// Done answers nil until the run's own context has ended and a closed
// channel after. Err is an atomic load on core's kill context, much
// cheaper than the channel receive it replaces. A coroutine created
// during a run keeps this context, and so follows the run it is resumed
// in.
type pollContext struct {
	context.Context
}

// closedChan is the Done channel of an ended run.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (p *pollContext) Done() <-chan struct{} {
	if p.Context != nil && p.Context.Err() != nil {
		return closedChan
	}
	return nil
}
