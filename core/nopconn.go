package core

// NopConn is a Conn with no network behind it: out-of-band output is
// dropped. Tests use it to drive the core directly; internal clients
// (scripts' calls, later) can too.
type NopConn struct{}

func (NopConn) Deliver(func(ReplyWriter)) {}
func (NopConn) Close()                    {}
func (NopConn) SetResp(int)               {}
func (NopConn) PendingOutput() int        { return 0 }
