/*
 * The wasm library of the engine conformance suite
 * (conformance/testdata/suite) written with the C SDK: the functions of
 * every case file, with the names and behaviour of testdata/guests/suite
 * (Go). Where C has no equivalent of what a case provokes (a panic, a
 * wrongly typed argument), the function fails the C way and the case
 * files hold its reply as a "wasm-c=>" expectation.
 */
#define POLYFN_IMPLEMENTATION
#include "../../sdk/c/polyfn.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#define FN(name) static polyfn_reply *name(polyfn_list keys, polyfn_list args)
#define UNUSED (void)keys, (void)args

static const char *kind(const polyfn_reply *r) {
	static const char *const names[] = {"null", "status", "error", "integer", "bulk", "array",
	                                    "map", "set", "double", "boolean", "bignumber", "verbatim"};
	return names[polyfn_kind_of(r)];
}

/* calls.txt */
FN(set_get) {
	if (keys.len < 1 || args.len < 1)
		polyfn_panic("set_get needs a key and a value");
	polyfn_call(polyfn_str("SET"), keys.items[0], args.items[0]);
	return polyfn_call(polyfn_str("GET"), keys.items[0]);
}
FN(call_any) { UNUSED; return polyfn_call_argv(args.len, args.items); }
FN(pcall_any) { UNUSED; return polyfn_pcall_argv(args.len, args.items); }
FN(pcall_type) {
	UNUSED;
	polyfn_reply *r = polyfn_pcall_argv(args.len, args.items);
	if (!polyfn_is_error(r))
		return r;
	char *s = polyfn_scratch(r->len + 8);
	memcpy(s, "caught: ", 8);
	memcpy(s + 8, r->str, r->len);
	return polyfn_bulk(s, r->len + 8);
}
FN(select_db) {
	polyfn_call(polyfn_str("SELECT"), args.items[0]);
	return polyfn_call(polyfn_str("GET"), keys.items[0]);
}
FN(no_args) { UNUSED; return polyfn_pcall_argv(0, NULL); }
FN(numbers) {
	UNUSED;
	polyfn_call(polyfn_str("SET"), keys.items[0], polyfn_f64(1.0 / 3));
	polyfn_call(polyfn_str("SET"), keys.items[1], polyfn_i64(42));
	return polyfn_array(polyfn_call(polyfn_str("GET"), keys.items[0]), polyfn_call(polyfn_str("GET"), keys.items[1]));
}
FN(counter) {
	int64_t n = 0;
	polyfn_parse_int(args.items[0], &n);
	polyfn_reply *r = NULL;
	for (int64_t i = 1; i <= n; i++)
		r = polyfn_call(polyfn_str("INCR"), keys.items[0]);
	return r;
}

/* errors.txt */
FN(raise_string) { UNUSED; polyfn_panic("something broke"); }
FN(raise_table) { UNUSED; return polyfn_error("MYCODE custom failure"); }
FN(raise_from_call) { UNUSED; return polyfn_call(polyfn_str("INCR"), keys.items[0]); }
FN(catch_call) {
	UNUSED;
	polyfn_reply *r = polyfn_pcall(polyfn_str("INCR"), keys.items[0]);
	if (polyfn_is_error(r))
		return polyfn_array(polyfn_string("false"), polyfn_bulk(r->str, r->len));
	return polyfn_array(polyfn_string("true"));
}
/* C's wrong argument: bytes that are not in the guest's memory. */
FN(bad_arg) {
	UNUSED;
	return polyfn_call(polyfn_str("SET"), polyfn_str("k"), polyfn_mem((const void *)0xfffffff0u, 64));
}
/* C's undefined name: a call through a null function pointer. */
static polyfn_reply *(*volatile undefined_thing)(void);
FN(undefined_global) { UNUSED; return undefined_thing(); }

/* flags.txt */
FN(writer) { UNUSED; return polyfn_call(polyfn_str("SET"), keys.items[0], args.items[0]); }
FN(reader) { UNUSED; return polyfn_call(polyfn_str("GET"), keys.items[0]); }
FN(sneaky) { UNUSED; return polyfn_call(polyfn_str("SET"), keys.items[0], polyfn_str("x")); }
FN(publisher) { UNUSED; return polyfn_call(polyfn_str("PUBLISH"), polyfn_str("ch"), polyfn_str("m")); }
FN(oomok) { UNUSED; return polyfn_call(polyfn_str("SET"), keys.items[0], polyfn_str("y")); }
FN(described) { UNUSED; return polyfn_int(1); }

/* kill.txt */
FN(spin) {
	UNUSED;
	volatile int n = 0;
	for (;;)
		n++;
}
FN(dirty_spin) {
	UNUSED;
	polyfn_call(polyfn_str("SET"), keys.items[0], polyfn_str("written"));
	for (volatile int i = 0; i < 200000000; i++) {
	}
	return polyfn_string("done");
}
FN(quick) { UNUSED; return polyfn_string("quick"); }

/* replies.txt */
FN(r_int) { UNUSED; return polyfn_int(42); }
FN(r_float) { UNUSED; return polyfn_double(3.99); }
FN(r_negfloat) { UNUSED; return polyfn_double(-3.99); }
FN(r_string) { UNUSED; return polyfn_string("hello"); }
FN(r_empty) { UNUSED; return polyfn_string(""); }
FN(r_nil) { UNUSED; return polyfn_null(); }
FN(r_none) { UNUSED; return NULL; }
FN(r_true) { UNUSED; return polyfn_bool(true); }
FN(r_false) { UNUSED; return polyfn_bool(false); }
FN(r_array) {
	UNUSED;
	return polyfn_array(polyfn_int(1), polyfn_string("two"), polyfn_array(polyfn_int(3), polyfn_string("four")),
	                    polyfn_array());
}
FN(r_holes) { UNUSED; return polyfn_array(polyfn_int(1), polyfn_int(2), NULL, polyfn_int(4)); }
FN(r_status) { UNUSED; return polyfn_status("FINE"); }
FN(r_status_reply) { UNUSED; return polyfn_status("ALSO FINE"); }
FN(r_error) { UNUSED; return polyfn_error("MYERR something failed"); }
FN(r_error_reply) { UNUSED; return polyfn_error("MYERR via helper"); }
FN(r_error_nocode) { UNUSED; return polyfn_error("no code here"); }
FN(r_double) { UNUSED; return polyfn_double(3.5); }
FN(r_bignum) { UNUSED; return polyfn_bignumber("123456789012345678901234567890"); }
FN(r_map) { UNUSED; return polyfn_map(polyfn_string("field"), polyfn_string("value")); }
FN(r_set) { UNUSED; return polyfn_set(polyfn_string("member")); }
FN(r_verbatim) { UNUSED; return polyfn_verbatim("txt", "some text", 9); }
FN(r_nested_status) { UNUSED; return polyfn_array(polyfn_status("in"), polyfn_error("ERR inside")); }
FN(r3_true) { UNUSED; polyfn_setresp(3); return polyfn_bool(true); }
FN(r3_false) { UNUSED; polyfn_setresp(3); return polyfn_bool(false); }
FN(r3_nil) { UNUSED; polyfn_setresp(3); return NULL; }
FN(see2) {
	UNUSED;
	polyfn_reply *h = polyfn_call(polyfn_str("HGETALL"), keys.items[0]);
	polyfn_reply *z = polyfn_call(polyfn_str("ZSCORE"), keys.items[1], polyfn_str("m"));
	polyfn_reply *missing = polyfn_call(polyfn_str("GET"), polyfn_str("nosuchkey"));
	return polyfn_array(polyfn_string(kind(h)), polyfn_int((int64_t)h->n), polyfn_string(kind(z)), z,
	                    polyfn_string(kind(missing)), polyfn_bulk_bytes(polyfn_reply_bytes(missing)));
}
FN(see3) {
	UNUSED;
	polyfn_setresp(3);
	polyfn_reply *h = polyfn_call(polyfn_str("HGETALL"), keys.items[0]);
	polyfn_reply *z = polyfn_call(polyfn_str("ZSCORE"), keys.items[1], polyfn_str("m"));
	polyfn_reply *s = polyfn_call(polyfn_str("SMEMBERS"), keys.items[2]);
	polyfn_reply *missing = polyfn_call(polyfn_str("GET"), polyfn_str("nosuchkey"));
	const char *has = "no";
	for (size_t i = 0; i < s->n; i++)
		if (polyfn_eq(polyfn_reply_bytes(s->elems[i]), "one"))
			has = "has one";
	return polyfn_array(h->elems[1], polyfn_string(kind(z)), z, polyfn_string(has), polyfn_string(kind(missing)));
}
FN(pass3) {
	UNUSED;
	polyfn_setresp(3);
	return polyfn_call(polyfn_str("HGETALL"), keys.items[0]);
}
FN(bad_resp) { UNUSED; polyfn_setresp(4); return NULL; }

/* sandbox-wasm.txt: WASI offers clocks and random bytes, nothing else. */
FN(read_file) {
	UNUSED;
	int fd = open("/etc/passwd", O_RDONLY);
	if (fd < 0)
		return polyfn_string("no file");
	close(fd);
	return polyfn_string("read a file");
}
FN(environment) {
	UNUSED;
	__wasi_size_t envc = 0, envsize = 0, argc = 0, argsize = 0;
	(void)!__wasi_environ_sizes_get(&envc, &envsize);
	(void)!__wasi_args_sizes_get(&argc, &argsize);
	return polyfn_array(polyfn_int(envc), polyfn_int(argc));
}
FN(dial) {
	UNUSED;
	/* WASI preview 1 has no connect; a socket could only be an inherited
	 * descriptor, and the host hands out none. */
	for (__wasi_fd_t fd = 3; fd < 16; fd++) {
		__wasi_fd_t conn;
		if (__wasi_sock_accept(fd, 0, &conn) == 0)
			return polyfn_string("connected");
	}
	return polyfn_string("no network");
}
FN(fn_clock) {
	UNUSED;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return polyfn_bool(ts.tv_sec >= 1704067200); /* 2024-01-01 */
}
FN(fn_random) {
	UNUSED;
	unsigned char a[16], b[16];
	getentropy(a, sizeof a);
	getentropy(b, sizeof b);
	return polyfn_bool(memcmp(a, b, sizeof a) != 0);
}

void polyfn_library(void) {
	polyfn_register("set_get", set_get, NULL, NULL);
	polyfn_register("call_any", call_any, NULL, NULL);
	polyfn_register("pcall_any", pcall_any, NULL, NULL);
	polyfn_register("pcall_type", pcall_type, NULL, NULL);
	polyfn_register("select_db", select_db, NULL, NULL);
	polyfn_register("no_args", no_args, NULL, NULL);
	polyfn_register("numbers", numbers, NULL, NULL);
	polyfn_register("counter", counter, NULL, NULL);

	polyfn_register("raise_string", raise_string, NULL, NULL);
	polyfn_register("raise_table", raise_table, NULL, NULL);
	polyfn_register("raise_from_call", raise_from_call, NULL, NULL);
	polyfn_register("catch_call", catch_call, NULL, NULL);
	polyfn_register("bad_arg", bad_arg, NULL, NULL);
	polyfn_register("undefined_global", undefined_global, NULL, NULL);

	polyfn_register("writer", writer, NULL, NULL);
	polyfn_register("reader", reader, POLYFN_NO_WRITES, NULL);
	polyfn_register("sneaky", sneaky, POLYFN_NO_WRITES, NULL);
	polyfn_register("publisher", publisher, POLYFN_NO_WRITES, NULL);
	polyfn_register("oomok", oomok, POLYFN_ALLOW_OOM, NULL);
	polyfn_register("described", described, POLYFN_NO_WRITES "," POLYFN_ALLOW_STALE "," POLYFN_NO_CLUSTER,
	                "a function with flags");

	polyfn_register("spin", spin, NULL, NULL);
	polyfn_register("dirty_spin", dirty_spin, NULL, NULL);
	polyfn_register("quick", quick, POLYFN_NO_WRITES, NULL);

	polyfn_register("r_int", r_int, NULL, NULL);
	polyfn_register("r_float", r_float, NULL, NULL);
	polyfn_register("r_negfloat", r_negfloat, NULL, NULL);
	polyfn_register("r_string", r_string, NULL, NULL);
	polyfn_register("r_empty", r_empty, NULL, NULL);
	polyfn_register("r_nil", r_nil, NULL, NULL);
	polyfn_register("r_none", r_none, NULL, NULL);
	polyfn_register("r_true", r_true, NULL, NULL);
	polyfn_register("r_false", r_false, NULL, NULL);
	polyfn_register("r_array", r_array, NULL, NULL);
	polyfn_register("r_holes", r_holes, NULL, NULL);
	polyfn_register("r_status", r_status, NULL, NULL);
	polyfn_register("r_status_reply", r_status_reply, NULL, NULL);
	polyfn_register("r_error", r_error, NULL, NULL);
	polyfn_register("r_error_reply", r_error_reply, NULL, NULL);
	polyfn_register("r_error_nocode", r_error_nocode, NULL, NULL);
	polyfn_register("r_double", r_double, NULL, NULL);
	polyfn_register("r_bignum", r_bignum, NULL, NULL);
	polyfn_register("r_map", r_map, NULL, NULL);
	polyfn_register("r_set", r_set, NULL, NULL);
	polyfn_register("r_verbatim", r_verbatim, NULL, NULL);
	polyfn_register("r_nested_status", r_nested_status, NULL, NULL);
	polyfn_register("r3_true", r3_true, NULL, NULL);
	polyfn_register("r3_false", r3_false, NULL, NULL);
	polyfn_register("r3_nil", r3_nil, NULL, NULL);
	polyfn_register("see2", see2, NULL, NULL);
	polyfn_register("see3", see3, NULL, NULL);
	polyfn_register("pass3", pass3, NULL, NULL);
	polyfn_register("bad_resp", bad_resp, NULL, NULL);

	polyfn_register("read_file", read_file, NULL, NULL);
	polyfn_register("environment", environment, NULL, NULL);
	polyfn_register("dial", dial, NULL, NULL);
	polyfn_register("clock", fn_clock, NULL, NULL);
	polyfn_register("random", fn_random, NULL, NULL);
}
