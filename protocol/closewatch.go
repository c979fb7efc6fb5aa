package protocol

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// maxHeld bounds what a blocked client may have pending before the watch
// gives up (and a later close goes unnoticed until the block ends).
const maxHeld = 64 << 10

// WatchClose implements core.CloseWatcher: while the client is blocked,
// a goroutine keeps reading its socket into the request reader's buffer,
// as Redis keeps filling a blocked client's query buffer (the
// connection's goroutine, parked in the command, does not touch the
// reader until stop returns). End of stream (or a socket error) means the
// peer is gone; the requests read are served after the block.
func (c *conn) WatchClose(gone func()) (stop func()) {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return func() {}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		closed := false
		err := rc.Read(func(fd uintptr) bool {
			read := func(b []byte) (int, error) { return syscall.Read(int(fd), b) }
			for c.rd.Buffered() < maxHeld {
				switch n, err := c.rd.fillWith(read); {
				case n > 0, err == syscall.EINTR:
				case err == syscall.EAGAIN:
					return false // drained: wait for readability
				default:
					closed = true
					return true
				}
			}
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
