//go:build !wasip1

package polyfn

// Outside a wasip1 build there is no host: these stand-ins let the
// package build (and its encodings be tested) on any platform.

const noHost = "polyfn: host functions are only available in a wasip1 guest"

func hostCommand(raise bool, args []byte) Reply { panic(noHost) }
func hostLog(level int, msg string)             { panic(noHost) }
func hostSetResp(v int)                         { panic(noHost) }
func hostSetRepl(v int)                         { panic(noHost) }
func hostACLCheck(args []byte) bool             { panic(noHost) }
