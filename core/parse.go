package core

import "github.com/polyfn/polyfn/core/keyspace"

// ParseInt parses b as Redis's string2ll does: optional '-', decimal digits,
// no leading zeros, no '+', no spaces, and within int64. (The keyspace
// holds the implementation: intset membership depends on it too.)
func ParseInt(b []byte) (int64, bool) { return keyspace.ParseInt(b) }
