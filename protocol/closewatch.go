package protocol

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// WatchClose implements core.CloseWatcher: while the client is blocked,
// a goroutine waits for the socket to become readable and peeks at it.
// End of stream (or a socket error) means the peer is gone. Pending data
// (a pipelined request) ends the watch without consuming anything: the
// request is read after the block, and a later close is noticed then.
func (c *conn) WatchClose(gone func()) (stop func()) {
	sc, ok := c.nc.(syscall.Conn)
	if !ok || c.rd.Buffered() > 0 {
		return func() {}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		closed := false
		err := rc.Read(func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if err == syscall.EAGAIN || err == syscall.EINTR {
				return false // nothing yet: wait for readability
			}
			closed = err != nil || n == 0
			return true
		})
		if closed || (err != nil && !errors.Is(err, os.ErrDeadlineExceeded)) {
			gone()
		}
	}()
	return func() {
		c.nc.SetReadDeadline(time.Now())
		<-done
		c.nc.SetReadDeadline(time.Time{})
	}
}
