package core

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/polyfn/polyfn/core/keyspace"
)

// DEBUG: the subset of Redis's debugging subcommands that test suites and
// client libraries use. It is refused unless enable-debug-command allows
// it ("yes", or "local" for loopback clients).

func cmdDebug(ctx *Ctx) {
	switch ctx.S.Config.DebugCommand() {
	case "yes":
	case "local":
		if !isLoopback(ctx.C) {
			ctx.Error(ErrDebugDisabled)
			return
		}
	default:
		ctx.Error(ErrDebugDisabled)
		return
	}
	argc := len(ctx.Args)
	sub := strings.ToLower(string(ctx.Args[1]))
	switch {
	case sub == "help" && argc == 2:
		writeHelp(ctx.W, debugHelp)
	case sub == "sleep" && argc == 3:
		secs, _ := strconv.ParseFloat(strings.TrimSpace(string(ctx.Args[2])), 64)
		if secs > 0 {
			time.Sleep(time.Duration(secs * float64(time.Second))) // the server stalls, as Redis's does
		}
		ctx.OK()
	case sub == "set-active-expire" && argc == 3:
		ctx.S.Config.SetActiveExpire(atoi(ctx.Args[2]) != 0)
		ctx.OK()
	case sub == "set-skip-checksum-validation" && argc == 3:
		ctx.S.skipChecksumValidation = atoi(ctx.Args[2]) != 0
		ctx.OK()
	case sub == "set-disable-deny-scripts" && argc == 3:
		ctx.S.disableDenyScripts = atoi(ctx.Args[2]) != 0
		ctx.OK()
	case sub == "log" && argc == 3:
		ctx.S.Log.Printf("DEBUG LOG: %s", ctx.Args[2])
		ctx.OK()
	case sub == "error" && argc == 3:
		ctx.Error(string(ctx.Args[2]))
	case sub == "protocol" && argc == 3:
		debugProtocol(ctx, strings.ToLower(string(ctx.Args[2])))
	case sub == "object" && argc == 3:
		debugObject(ctx)
	case sub == "digest" && argc == 2:
		var d [20]byte
		for _, db := range ctx.S.DBs {
			db.Range(func(key string, e *keyspace.Entry) bool {
				xorDigest(&d, entryDigest(db, key, e, true))
				return true
			})
		}
		ctx.W.WriteStatus(hex.EncodeToString(d[:]))
	case sub == "digest-value" && argc >= 2:
		ctx.W.WriteArray(argc - 2)
		for _, k := range ctx.Args[2:] {
			var d [20]byte
			if e := ctx.DB.Get(keyspace.Str(k), ctx.Now); e != nil {
				d = entryDigest(ctx.DB, string(k), e, false)
			}
			ctx.W.WriteStatus(hex.EncodeToString(d[:]))
		}
	case sub == "reload":
		debugReload(ctx)
	case sub == "loadaof" && argc == 2:
		debugLoadAOF(ctx)
	case sub == "change-repl-id" && argc == 2:
		ctx.OK()
	default:
		subcommandSyntaxError(ctx)
	}
}

func debugProtocol(ctx *Ctx, typ string) {
	w := ctx.W
	raw, _ := w.(interface{ WriteRaw([]byte) })
	switch typ {
	case "string":
		w.WriteBulkString("Hello World")
	case "integer":
		w.WriteInt(12345)
	case "double":
		// Redis prints this one with %.17g's shortest form, "3.141".
		if w.Resp() == 3 && raw != nil {
			raw.WriteRaw([]byte(",3.141\r\n"))
		} else {
			w.WriteBulkString("3.141")
		}
	case "bignum":
		w.WriteBigNumber("1234567999999999999999999999999999999")
	case "null":
		w.WriteNull()
	case "array", "set", "map":
		switch typ {
		case "array":
			w.WriteArray(3)
		case "set":
			w.WriteSet(3)
		default:
			w.WriteMap(3)
		}
		for i := 0; i < 3; i++ {
			w.WriteInt(int64(i))
			if typ == "map" {
				w.WriteBool(i == 1)
			}
		}
	case "attrib":
		if w.Resp() == 3 && raw != nil {
			raw.WriteRaw([]byte("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"))
		}
		w.WriteBulkString("Some real reply following the attribute")
	case "push":
		if w.Resp() < 3 {
			ctx.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.WritePush(2)
		w.WriteBulkString("server-cpu-usage")
		w.WriteInt(42)
		w.WriteBulkString("Some real reply following the push reply")
	case "verbatim":
		w.WriteVerbatim("txt", "This is a verbatim\nstring")
	case "true":
		w.WriteBool(true)
	case "false":
		w.WriteBool(false)
	default:
		ctx.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// debugObject answers DEBUG OBJECT in Redis's format. The address and the
// serialized length are approximations.
func debugObject(ctx *Ctx) {
	// Like Redis's, DEBUG OBJECT also sees a key that has expired but
	// was not removed yet.
	e := ctx.DB.Get(keyspace.Str(ctx.Args[2]), math.MinInt64)
	if e == nil {
		ctx.Error(ErrNoSuchKey)
		return
	}
	enc, size, refcount := "", 0, 1
	switch v := e.Value.(type) {
	case []byte:
		enc, size = debugStringEncoding(e, v), len(v)+1
		if enc == "int" {
			if n, _ := ParseInt(v); n >= 0 && n < 10000 {
				refcount = 1<<31 - 1 // a shared integer
			}
		}
	case keyspace.Typed:
		enc = v.Encoding()
	}
	clock := lruClock(ctx.Now) & (1<<24 - 1)
	idle := int64(0)
	if lru := e.LRU & (1<<24 - 1); clock >= lru {
		idle = int64(clock - lru)
	}
	extra := ""
	if enc == "quicklist" {
		extra = fmt.Sprintf(" ql_nodes:1 ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 ql_uncompressed_size:%d",
			0.0, ctx.S.Config.Int("list-max-listpack-size"), 0)
	}
	ctx.W.WriteStatus(fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
		unsafe.Pointer(e), refcount, enc, size, clock, idle, extra))
}

// debugStringEncoding is the encoding Redis would report for a string.
func debugStringEncoding(e *keyspace.Entry, v []byte) string {
	if _, ok := ParseInt(v); ok && len(v) <= 20 && !e.Raw {
		return "int"
	}
	if len(v) <= 44 && !e.Raw {
		return "embstr"
	}
	return "raw"
}

// entryDigest is a stable digest of a key's value (and, for DEBUG DIGEST,
// its name and expiry). Strings are hashed by content; other types by
// their kind and encoding until the types expose an iteration interface.
func entryDigest(db *keyspace.DB, key string, e *keyspace.Entry, withKey bool) [20]byte {
	h := sha1.New()
	if withKey {
		h.Write([]byte(key))
		h.Write([]byte{0})
		if at, ok := db.Expire(key); ok {
			h.Write([]byte("!expire " + strconv.FormatInt(at, 10)))
		}
	}
	h.Write([]byte{byte(e.Kind())})
	switch v := e.Value.(type) {
	case []byte:
		h.Write(v)
	case keyspace.Typed:
		h.Write([]byte(v.Encoding()))
	}
	var d [20]byte
	copy(d[:], h.Sum(nil))
	return d
}

func xorDigest(dst *[20]byte, d [20]byte) {
	for i := range dst {
		dst[i] ^= d[i]
	}
}

var debugHelp = []string{
	"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"AOF-FLUSH-SLEEP <microsec>",
	"    Server will sleep before flushing the AOF, this is used for testing.",
	"ASSERT",
	"    Crash by assertion failed.",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"CONFIG-REWRITE-FORCE-ALL",
	"    Like CONFIG REWRITE but writes all configuration options, including",
	"    keywords not listed in original configuration file or default values.",
	"CRASH-AND-RECOVER [<milliseconds>]",
	"    Hard crash and restart after a <milliseconds> delay (default 0).",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LEAK <string>",
	"    Create a memory leak of the input string.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"HTSTATS <dbid>",
	"    Return hash table statistics of the specified Redis database.",
	"HTSTATS-KEY <key>",
	"    Like HTSTATS but for the hash table stored at <key>'s value.",
	"LOADAOF",
	"    Flush the AOF buffers on disk and reload the AOF in memory.",
	"REPLICATE <string>",
	"    Replicates the provided string to replicas, allowing data divergence.",
	"MALLCTL <key> [<val>]",
	"    Get or set a malloc tuning integer.",
	"MALLCTL-STR <key> [<val>]",
	"    Get or set a malloc tuning string.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"DROP-CLUSTER-PACKET-FILTER <packet-type>",
	"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
	"OOM",
	"    Crash the server simulating an out-of-memory error.",
	"PANIC",
	"    Crash the server simulating a panic.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
	"    * MERGE: conflicting keys will be loaded from RDB.",
	"    * NOFLUSH: the existing database will not be removed before load, but",
	"      conflicting keys will generate an exception and kill the server.",
	"    * NOSAVE: the database will be loaded from an existing RDB file.",
	"    Examples:",
	"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
	"      the database.",
	"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
	"      existing RDB file.",
	"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
	"      file to the database.",
	"RESTART [<milliseconds>]",
	"    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
	"SDSLEN <key>",
	"    Show low level SDS string info representing `key` and value.",
	"SEGFAULT",
	"    Crash the server with sigsegv.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"QUICKLIST-PACKED-THRESHOLD <size>",
	"    Sets the threshold for elements to be inserted as plain vs packed nodes",
	"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
	"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
	"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"STRINGMATCH-TEST",
	"    Run a fuzz tester against the stringmatchlen() function.",
	"STRUCTSIZE",
	"    Return the size of different Redis core C structures.",
	"LISTPACK <key>",
	"    Show low level info about the listpack encoding of <key>.",
	"QUICKLIST <key> [<0|1>]",
	"    Show low level info about the quicklist encoding of <key>.",
	"    The optional argument (0 by default) sets the level of detail",
	"CLIENT-EVICTION",
	"    Show low level client eviction pools info (maxmemory-clients).",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
	"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
	"    In case NEVER is provided the last observed peak will never be reset",
	"    In case RESET is provided the peak reset time will be restored to the default value",
	"REPLYBUFFER RESIZING <0|1>",
	"    Enable or disable the reply buffer resize cron job",
	"CLUSTERLINK KILL <to|from|all> <node-id>",
	"    Kills the link based on the direction to/from (both) with the provided node.",
	"HELP",
	"    Prints this help.",
}
