package protocol

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// maxHeld bounds what a blocked client may send before the watch gives up
// (and a later close goes unnoticed until the block ends).
const maxHeld = 64 << 10

// WatchClose implements core.CloseWatcher: while the client is blocked,
// a goroutine keeps reading its socket, as Redis keeps filling a blocked
// client's query buffer. End of stream (or a socket error) means the peer
// is gone. What it read (pipelined requests) is handed to the reader when
// the watch stops, to be served after the block.
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
	var held []byte // written by the goroutine, read after done
	go func() {
		defer close(done)
		var chunk [4096]byte
		closed := false
		err := rc.Read(func(fd uintptr) bool {
			for {
				n, err := syscall.Read(int(fd), chunk[:])
				switch {
				case n > 0:
					held = append(held, chunk[:n]...)
					if len(held) >= maxHeld {
						return true
					}
				case err == syscall.EINTR:
				case err == syscall.EAGAIN:
					return false // drained: wait for readability
				default:
					closed = true
					return true
				}
			}
		})
		if closed || (err != nil && !errors.Is(err, os.ErrDeadlineExceeded)) {
			gone()
		}
	}()
	return func() {
		c.nc.SetReadDeadline(time.Now())
		<-done
		c.nc.SetReadDeadline(time.Time{})
		if len(held) > 0 {
			c.rd.Append(held)
		}
	}
}
