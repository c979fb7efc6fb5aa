package core

import "strings"

// Key extraction from a full command line, as COMMAND GETKEYS does it in
// Redis 7.0: the command's key specifications (from its COMMAND INFO
// metadata) are interpreted first; when a spec cannot be followed
// (unknown or incomplete spec, bad key count, out-of-range positions) or
// the key flags depend on the arguments, the command's own key finder
// (keyProcs) decides, as Redis's getkeys_proc functions do.

// Key flags, as COMMAND GETKEYSANDFLAGS reports them, in Redis's order.
const (
	KeyRO uint32 = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"}

// KeyFlagNames returns the names of the flags set in f, in Redis's order.
func KeyFlagNames(f uint32) []string {
	var out []string
	for i, n := range keyFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// KeySpec is one decoded key specification.
type KeySpec struct {
	Flags uint32
	// begin_search: "index" (Index), "keyword" (Keyword, StartFrom) or
	// "unknown".
	BeginSearch string
	Index       int
	Keyword     string
	StartFrom   int
	// find_keys: "range" (LastKey, KeyStep, Limit), "keynum" (KeyNumIdx,
	// FirstKey, KeyStep) or "unknown".
	FindKeys  string
	LastKey   int
	KeyStep   int
	Limit     int
	KeyNumIdx int
	FirstKey  int
}

// KeyRef is one key found in a command line: its argument position and
// flags.
type KeyRef struct {
	Pos   int
	Flags uint32
}

func mapGet(v Value, key string) (Value, bool) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == key {
			return v.Elems[i+1], true
		}
	}
	return Value{}, false
}

func mapInt(v Value, key string) int {
	x, _ := mapGet(v, key)
	return int(x.Int)
}

// ParseKeySpecs decodes a COMMAND INFO key-specs element.
func ParseKeySpecs(v Value) []KeySpec {
	out := make([]KeySpec, 0, len(v.Elems))
	for _, m := range v.Elems {
		var ks KeySpec
		if fl, ok := mapGet(m, "flags"); ok {
			for _, f := range fl.Elems {
				for i, n := range keyFlagNames {
					if string(f.Str) == n {
						ks.Flags |= 1 << i
					}
				}
			}
		}
		bs, _ := mapGet(m, "begin_search")
		t, _ := mapGet(bs, "type")
		spec, _ := mapGet(bs, "spec")
		ks.BeginSearch = string(t.Str)
		switch ks.BeginSearch {
		case "index":
			ks.Index = mapInt(spec, "index")
		case "keyword":
			kw, _ := mapGet(spec, "keyword")
			ks.Keyword = string(kw.Str)
			ks.StartFrom = mapInt(spec, "startfrom")
		}
		fk, _ := mapGet(m, "find_keys")
		t, _ = mapGet(fk, "type")
		spec, _ = mapGet(fk, "spec")
		ks.FindKeys = string(t.Str)
		switch ks.FindKeys {
		case "range":
			ks.LastKey, ks.KeyStep, ks.Limit = mapInt(spec, "lastkey"), mapInt(spec, "keystep"), mapInt(spec, "limit")
		case "keynum":
			ks.KeyNumIdx, ks.FirstKey, ks.KeyStep = mapInt(spec, "keynumidx"), mapInt(spec, "firstkey"), mapInt(spec, "keystep")
		}
		out = append(out, ks)
	}
	return out
}

// keysFromSpecs follows the key specs over argv (argv[0] is the command
// name). ok is false when a spec cannot be followed.
func keysFromSpecs(cmd *Command, specs []KeySpec, argv [][]byte) (keys []KeyRef, ok bool) {
	argc := len(argv)
	for _, ks := range specs {
		if ks.Flags&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch ks.BeginSearch {
		case "index":
			first = ks.Index
		case "keyword":
			start, end := ks.StartFrom, argc-1
			if ks.StartFrom <= 0 {
				start, end = argc+ks.StartFrom, 1
			}
			for i := start; i != end; {
				if i >= argc || i < 1 {
					break
				}
				if strings.EqualFold(string(argv[i]), ks.Keyword) {
					first = i + 1
					break
				}
				if start <= end {
					i++
				} else {
					i--
				}
			}
			if first == 0 {
				continue
			}
		default:
			return nil, false
		}
		var last, step int
		switch ks.FindKeys {
		case "range":
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit == 0:
				last = argc + ks.LastKey
			default:
				last = first + ((argc-first)/ks.Limit + ks.LastKey)
			}
		case "keynum":
			step = ks.KeyStep
			if ks.KeyNumIdx >= argc || first+ks.KeyNumIdx >= argc {
				return nil, false
			}
			n, isInt := ParseInt(argv[first+ks.KeyNumIdx])
			if !isInt || n < 0 || n > int64(argc) {
				return nil, false
			}
			first += ks.FirstKey
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for i := first; i <= last; i += step {
			if i >= argc || i < first {
				continue
			}
			keys = append(keys, KeyRef{Pos: i, Flags: ks.Flags})
		}
		if ks.Flags&KeyIncomplete != 0 {
			return nil, false
		}
	}
	return keys, true
}

// keyProc is a command's own key finder (Redis's getkeys_proc).
type keyProc func(argv [][]byte) []KeyRef

var keyProcs = map[string]keyProc{
	"zunionstore": countedKeys(1, 2, 3), "zinterstore": countedKeys(1, 2, 3), "zdiffstore": countedKeys(1, 2, 3),
	"zunion": countedKeys(0, 1, 2), "zinter": countedKeys(0, 1, 2), "zdiff": countedKeys(0, 1, 2),
	"zintercard": countedKeys(0, 1, 2), "sintercard": countedKeys(0, 1, 2),
	"lmpop": countedKeys(0, 1, 2), "zmpop": countedKeys(0, 1, 2),
	"blmpop": countedKeys(0, 2, 3), "bzmpop": countedKeys(0, 2, 3),
	"eval": countedKeys(0, 2, 3), "evalsha": countedKeys(0, 2, 3), "eval_ro": countedKeys(0, 2, 3), "evalsha_ro": countedKeys(0, 2, 3),
	"fcall": countedKeys(0, 2, 3), "fcall_ro": countedKeys(0, 2, 3),
	"sort":              sortKeys,
	"sort_ro":           func([][]byte) []KeyRef { return []KeyRef{{1, KeyRO | KeyAccess}} },
	"migrate":           migrateKeys,
	"georadius":         georadiusKeys,
	"georadiusbymember": georadiusKeys,
	"xread":             xreadKeys,
	"xreadgroup":        xreadKeys,
	"set":               setKeys,
	"bitfield":          bitfieldKeys,
}

// atoi is C's atoi: optional spaces and sign, then digits up to the first
// non-digit; 0 when there are none.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	n := int64(0)
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
		}
	}
	if neg {
		n = -n
	}
	return int(int32(n))
}

// countedKeys finds "[dest] numkeys key..." layouts: store is the
// destination's position (0: none), count the numkeys position, first
// the first key's.
func countedKeys(store, count, first int) keyProc {
	return func(argv [][]byte) []KeyRef {
		if count >= len(argv) {
			return nil
		}
		n := atoi(argv[count])
		if n < 1 || n > len(argv)-first {
			return nil
		}
		keys := make([]KeyRef, 0, n+1)
		for i := 0; i < n; i++ {
			keys = append(keys, KeyRef{Pos: first + i})
		}
		if store > 0 {
			keys = append(keys, KeyRef{Pos: store})
		}
		return keys
	}
}

func argIs(argv [][]byte, i int, word string) bool {
	return i < len(argv) && strings.EqualFold(string(argv[i]), word)
}

func sortKeys(argv [][]byte) []KeyRef {
	keys := []KeyRef{{1, KeyRO | KeyAccess}}
	store := -1
	for i := 2; i < len(argv); i++ {
		switch {
		case argIs(argv, i, "limit"):
			i += 2
		case argIs(argv, i, "get"), argIs(argv, i, "by"):
			i++
		case argIs(argv, i, "store") && i+1 < len(argv):
			store = i + 1
		}
	}
	if store > 0 {
		keys = append(keys, KeyRef{store, KeyOW | KeyUpdate})
	}
	return keys
}

func migrateKeys(argv [][]byte) []KeyRef {
	first, num := 3, 1
	if len(argv) > 6 {
	scan:
		for i := 6; i < len(argv); i++ {
			switch {
			case argIs(argv, i, "keys"):
				if len(argv[3]) > 0 {
					return nil
				}
				first, num = i+1, len(argv)-i-1
				break scan
			case argIs(argv, i, "auth"):
				i++
			case argIs(argv, i, "auth2"):
				i += 2
			}
		}
	}
	keys := make([]KeyRef, num)
	for i := range keys {
		keys[i] = KeyRef{first + i, KeyRW | KeyAccess | KeyDelete}
	}
	return keys
}

func georadiusKeys(argv [][]byte) []KeyRef {
	keys := []KeyRef{{1, KeyRO | KeyAccess}}
	stored := -1
	for i := 5; i < len(argv); i++ {
		if (argIs(argv, i, "store") || argIs(argv, i, "storedist")) && i+1 < len(argv) {
			stored = i + 1
			i++
		}
	}
	if stored > 0 {
		keys = append(keys, KeyRef{stored, KeyOW | KeyUpdate})
	}
	return keys
}

func xreadKeys(argv [][]byte) []KeyRef {
	streams := -1
	group := strings.EqualFold(string(argv[0]), "xreadgroup")
scan:
	for i := 1; i < len(argv); i++ {
		switch {
		case argIs(argv, i, "block"), argIs(argv, i, "count"):
			i++
		case argIs(argv, i, "group"):
			i += 2
		case argIs(argv, i, "noack"):
		case argIs(argv, i, "streams"):
			streams = i
			break scan
		default:
			break scan
		}
	}
	if streams < 0 {
		return nil
	}
	num := len(argv) - streams - 1
	if num == 0 || num%2 != 0 {
		return nil
	}
	num /= 2
	flags := KeyRO | KeyAccess
	if group {
		flags = KeyRW | KeyAccess
	}
	keys := make([]KeyRef, num)
	for i := range keys {
		keys[i] = KeyRef{streams + 1 + i, flags}
	}
	return keys
}

func setKeys(argv [][]byte) []KeyRef {
	for i := 3; i < len(argv); i++ {
		if strings.EqualFold(string(argv[i]), "get") {
			return []KeyRef{{1, KeyRW | KeyAccess | KeyUpdate}}
		}
	}
	return []KeyRef{{1, KeyOW | KeyUpdate}}
}

func bitfieldKeys(argv [][]byte) []KeyRef {
	readonly := true
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		switch {
		case argIs(argv, i, "get") && rem >= 2:
			i += 2
		case (argIs(argv, i, "set") || argIs(argv, i, "incrby")) && rem >= 3:
			readonly = false
			i = len(argv)
		case argIs(argv, i, "overflow") && rem >= 1:
			i++
		default:
			readonly = false
			i = len(argv)
		}
	}
	if readonly {
		return []KeyRef{{1, KeyRO | KeyAccess}}
	}
	return []KeyRef{{1, KeyRW | KeyAccess | KeyUpdate}}
}

// HasKeys reports whether a command takes key arguments (a key spec that
// is not "not_key", or its own key finder).
func (c *Command) HasKeys() bool {
	if keyProcs[c.Name] != nil {
		return true
	}
	for _, ks := range ParseKeySpecs(c.KeySpecs()) {
		if ks.Flags&KeyNotKey == 0 {
			return true
		}
	}
	return false
}

// GetKeys returns the keys of the command line argv (argv[0] being the
// command's name, then the subcommand's for a subcommand), as COMMAND
// GETKEYS does. The arity is assumed checked.
func (c *Command) GetKeys(argv [][]byte) []KeyRef {
	specs := ParseKeySpecs(c.KeySpecs())
	hasKeySpec, varFlags := false, false
	for _, ks := range specs {
		if ks.Flags&KeyNotKey == 0 {
			hasKeySpec = true
		}
		if ks.Flags&KeyVariableFlags != 0 {
			varFlags = true
		}
	}
	if hasKeySpec && !varFlags {
		if keys, ok := keysFromSpecs(c, specs, argv); ok {
			return keys
		}
	}
	if p := keyProcs[c.Name]; p != nil {
		return p(argv)
	}
	return nil
}
