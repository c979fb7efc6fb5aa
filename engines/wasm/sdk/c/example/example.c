/*
 * A polyfn library in C: the functions of the Go SDK's example
 * (engines/wasm/sdk/go/example), and a few that show the rest of the
 * SDK. Build it with engines/wasm/testdata/build.sh or the command in
 * ../README.md, and load the .wasm with FUNCTION LOAD.
 */
#define POLYFN_IMPLEMENTATION
#include "../polyfn.h"

#include <string.h>

#include "sha256.h"

/* FCALL hello 0 world -> "Hello, world!" */
static polyfn_reply *hello(polyfn_list keys, polyfn_list args) {
	(void)keys;
	polyfn_bytes name = args.len > 0 ? args.items[0] : polyfn_str("stranger");
	char *s = polyfn_scratch(name.len + 8);
	memcpy(s, "Hello, ", 7);
	memcpy(s + 7, name.ptr, name.len);
	s[7 + name.len] = '!';
	return polyfn_bulk(s, name.len + 8);
}

/* FCALL set_get 1 key value -> value, after SET key value. */
static polyfn_reply *set_get(polyfn_list keys, polyfn_list args) {
	if (keys.len < 1 || args.len < 1)
		return polyfn_error("ERR set_get needs a key and a value");
	polyfn_call(polyfn_str("SET"), keys.items[0], args.items[0]);
	return polyfn_call(polyfn_str("GET"), keys.items[0]);
}

/* FCALL count_to 0 n -> n, counted in a loop in the guest (volatile, so
 * that the compiler keeps the loop). */
static polyfn_reply *count_to(polyfn_list keys, polyfn_list args) {
	(void)keys;
	int64_t n = 0;
	if (args.len < 1 || !polyfn_parse_int(args.items[0], &n))
		return polyfn_error("ERR value is not an integer or out of range");
	volatile int64_t i;
	for (i = 0; i < n; i++) {
	}
	return polyfn_int(i);
}

/* FCALL one 0 -> 1 (the benchmarks' trivial function, as Lua's "return 1"). */
static polyfn_reply *one(polyfn_list keys, polyfn_list args) {
	(void)keys;
	(void)args;
	return polyfn_int(1);
}

/* FCALL sum_loop 0 n -> the sum of i*2 for i = 1..n, added up in a loop
 * (the benchmarks' 1,000-iteration arithmetic loop, as the Lua one). The
 * empty asm statement costs nothing at run time; it keeps clang from
 * replacing the loop by its closed form, so the additions are done. */
static polyfn_reply *sum_loop(polyfn_list keys, polyfn_list args) {
	(void)keys;
	int64_t n = 0;
	if (args.len < 1 || !polyfn_parse_int(args.items[0], &n))
		return polyfn_error("ERR value is not an integer or out of range");
	int64_t s = 0;
	for (int64_t i = 1; i <= n; i++) {
		s += i * 2;
		__asm__ volatile("" : "+r"(s));
	}
	return polyfn_int(s);
}

/* FCALL sha256hex 0 data -> the SHA-256 of data, in hex. */
static polyfn_reply *sha256hex(polyfn_list keys, polyfn_list args) {
	(void)keys;
	if (args.len < 1)
		return polyfn_error("ERR sha256hex needs an argument");
	unsigned char sum[32];
	char hex[64];
	sha256((const unsigned char *)args.items[0].ptr, args.items[0].len, sum);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = "0123456789abcdef"[sum[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[sum[i] & 15];
	}
	return polyfn_bulk(hex, 64);
}

/* FCALL ping 0 -> the server's PONG, or its error as a value. */
static polyfn_reply *ping(polyfn_list keys, polyfn_list args) {
	(void)keys;
	(void)args;
	return polyfn_pcall(polyfn_str("PING"));
}

/* FCALL echo 0 args... -> the arguments as an array of bulk strings
 * (binary-safe both ways). */
static polyfn_reply *echo(polyfn_list keys, polyfn_list args) {
	(void)keys;
	polyfn_reply *a = polyfn_new_array();
	for (size_t i = 0; i < args.len; i++)
		polyfn_push(a, polyfn_bulk_bytes(args.items[i]));
	return a;
}

/* FCALL pcall_info 0 cmd args... -> [type, text] of the command's reply,
 * an error included (as data). */
static polyfn_reply *pcall_info(polyfn_list keys, polyfn_list args) {
	(void)keys;
	static const char *const kinds[] = {"null", "status", "error", "integer", "bulk", "array",
	                                    "map", "set", "double", "boolean", "bignumber", "verbatim"};
	if (args.len == 0)
		return polyfn_error("ERR pcall_info needs a command");
	polyfn_reply *r = polyfn_pcall_argv(args.len, args.items);
	polyfn_reply *text;
	switch (polyfn_kind_of(r)) {
	case POLYFN_INT:
	case POLYFN_BOOL:
		text = polyfn_int(r->integer);
		break;
	case POLYFN_DOUBLE:
		text = polyfn_double(r->dbl);
		break;
	case POLYFN_ARRAY:
	case POLYFN_MAP:
	case POLYFN_SET:
		text = polyfn_int((int64_t)r->n);
		break;
	default:
		text = polyfn_bulk_bytes(polyfn_reply_bytes(r));
	}
	return polyfn_array(polyfn_string(kinds[polyfn_kind_of(r)]), text);
}

/* FCALL types 0 -> one reply of every type. */
static polyfn_reply *types(polyfn_list keys, polyfn_list args) {
	(void)keys;
	(void)args;
	return polyfn_array(polyfn_status("OK"), polyfn_int(-42), polyfn_string("bulk"), polyfn_null(), NULL,
	                    polyfn_double(1.5), polyfn_bool(true), polyfn_bool(false),
	                    polyfn_bignumber("12345678901234567890"), polyfn_verbatim("txt", "verbatim", 8),
	                    polyfn_map(polyfn_string("k"), polyfn_int(1)), polyfn_set(polyfn_string("m")),
	                    polyfn_array(), polyfn_error("ERR nested"));
}

/* FCALL fail 0 -> an error reply; FCALL crash 0 -> a trap with a message. */
static polyfn_reply *fail(polyfn_list keys, polyfn_list args) {
	(void)keys;
	(void)args;
	return polyfn_error("MYERR something failed");
}

static polyfn_reply *crash(polyfn_list keys, polyfn_list args) {
	(void)keys;
	(void)args;
	polyfn_panic("crashed on purpose");
}

/* FCALL log 0 level message -> OK, after logging the message. */
static polyfn_reply *log_fn(polyfn_list keys, polyfn_list args) {
	(void)keys;
	int64_t level = 0;
	if (args.len < 2 || !polyfn_parse_int(args.items[0], &level))
		return polyfn_error("ERR log needs a level and a message");
	polyfn_log_bytes((int)level, args.items[1]);
	return polyfn_status("OK");
}

/* FCALL resp3_get 1 key -> HGETALL key with RESP3 replies (a map). */
static polyfn_reply *resp3_hgetall(polyfn_list keys, polyfn_list args) {
	(void)args;
	polyfn_setresp(3);
	return polyfn_call(polyfn_str("HGETALL"), keys.items[0]);
}

/* FCALL set_norepl 1 key value -> SET key value, replicated nowhere. */
static polyfn_reply *set_norepl(polyfn_list keys, polyfn_list args) {
	polyfn_set_repl(POLYFN_REPL_NONE);
	return polyfn_call(polyfn_str("SET"), keys.items[0], args.items[0]);
}

/* FCALL may 0 cmd args... -> whether the calling user may run it. */
static polyfn_reply *may(polyfn_list keys, polyfn_list args) {
	(void)keys;
	return polyfn_bool(polyfn_acl_check_argv(args.len, args.items));
}

/* FCALL incr_by 1 key n -> INCRBY key n, n sent as an integer argument. */
static polyfn_reply *incr_by(polyfn_list keys, polyfn_list args) {
	int64_t n = 0;
	if (args.len < 1 || !polyfn_parse_int(args.items[0], &n))
		return polyfn_error("ERR value is not an integer or out of range");
	return polyfn_call(polyfn_str("INCRBY"), keys.items[0], polyfn_i64(n));
}

void polyfn_library(void) {
	polyfn_register("hello", hello, POLYFN_NO_WRITES, "greets");
	polyfn_register("set_get", set_get, NULL, NULL);
	polyfn_register("count_to", count_to, POLYFN_NO_WRITES, NULL);
	polyfn_register("one", one, POLYFN_NO_WRITES, NULL);
	polyfn_register("sum_loop", sum_loop, POLYFN_NO_WRITES, NULL);
	polyfn_register("sha256hex", sha256hex, POLYFN_NO_WRITES, NULL);
	polyfn_register("ping", ping, POLYFN_NO_WRITES, NULL);
	polyfn_register("echo", echo, POLYFN_NO_WRITES, NULL);
	polyfn_register("pcall_info", pcall_info, NULL, NULL);
	polyfn_register("types", types, POLYFN_NO_WRITES "," POLYFN_ALLOW_STALE, "one reply of every type");
	polyfn_register("fail", fail, POLYFN_NO_WRITES, NULL);
	polyfn_register("crash", crash, POLYFN_NO_WRITES, NULL);
	polyfn_register("log", log_fn, POLYFN_NO_WRITES, NULL);
	polyfn_register("resp3_hgetall", resp3_hgetall, POLYFN_NO_WRITES, NULL);
	polyfn_register("set_norepl", set_norepl, NULL, NULL);
	polyfn_register("may", may, POLYFN_NO_WRITES, NULL);
	polyfn_register("incr_by", incr_by, NULL, NULL);
}
