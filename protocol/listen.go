package protocol

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
)

func init() {
	core.SplitLine = func(line string) ([]string, bool) {
		args, ok := SplitArgs([]byte(line))
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = string(a)
		}
		return out, ok
	}
}

// Listen opens the listeners the configuration asks for ("bind" and
// "port"; an address prefixed with '-' is skipped when unavailable, as in
// redis.conf) and serves them in the background.
func Listen(cs *core.Server) (*Server, []net.Addr, error) {
	bind, _ := cs.Config.Get("bind")
	port, _ := cs.Config.Get("port")
	s := NewServer(cs)
	var addrs []net.Addr
	var lns []net.Listener
	for _, host := range strings.Fields(bind) {
		optional := strings.HasPrefix(host, "-")
		host = strings.TrimPrefix(host, "-")
		ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			if optional {
				continue
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, nil, fmt.Errorf("could not listen on %s:%s: %w", host, port, err)
		}
		lns = append(lns, ln)
		addrs = append(addrs, ln.Addr())
		if port == "0" { // tests: every listener on the first one's port
			port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		}
	}
	if len(lns) == 0 {
		return nil, nil, fmt.Errorf("no address to listen on (bind %q)", bind)
	}
	for _, ln := range lns {
		go s.Serve(ln)
	}
	return s, addrs, nil
}
