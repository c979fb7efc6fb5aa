package core

// ReplyWriter is how a command answers. The protocol layer implements it
// for RESP2 and RESP3 connections (encoding straight into the connection's
// output buffer); the scripting layer will implement it to build reply
// values for redis.call. Handlers describe the reply in RESP3 terms and the
// writer degrades it for RESP2 the way Redis does:
//
//	RESP3            RESP2
//	map of n pairs   array of 2n elements
//	set              array
//	null             $-1 (WriteNull) or *-1 (WriteNullArray)
//	double           bulk string, "%.17g" (inf / -inf spelled out)
//	boolean          integer 1 / 0
//	big number       bulk string
//	verbatim         bulk string (without the format prefix)
//	push             array
//
// Aggregates are written header first (WriteArray(n)), then n elements.
type ReplyWriter interface {
	WriteStatus(s string)
	// WriteError writes an error reply; msg carries its code prefix
	// ("ERR ...", "WRONGTYPE ..."). Newlines are replaced by spaces.
	WriteError(msg string)
	WriteInt(n int64)
	WriteBulk(b []byte)
	WriteBulkString(s string)
	WriteNull()
	WriteNullArray()
	WriteArray(n int)
	WriteMap(n int)
	WriteSet(n int)
	WriteDouble(f float64)
	WriteBool(b bool)
	WriteBigNumber(s string)
	WriteVerbatim(format, s string)
	WritePush(n int)
	// Resp reports the protocol version the reply is encoded for (2 or 3).
	Resp() int
}
