/*
 * polyfn.h: the C guest SDK for polyfn's WebAssembly engine, a single
 * header implementing the guest side of polyfn ABI 1
 * (engines/wasm/ABI.md). Build with clang's wasm32-wasi target and
 * wasi-libc, as a WASI reactor:
 *
 *     clang --target=wasm32-wasi -O2 -mexec-model=reactor \
 *         -Wl,--strip-all -o mylib.wasm mylib.c
 *
 * Exactly one translation unit defines POLYFN_IMPLEMENTATION before
 * including this header (it holds the ABI's exports); others include it
 * plainly. The library defines polyfn_library(), which registers its
 * functions:
 *
 *     #define POLYFN_IMPLEMENTATION
 *     #include "polyfn.h"
 *
 *     static polyfn_reply *get(polyfn_list keys, polyfn_list args) {
 *         return polyfn_call(polyfn_str("GET"), keys.items[0]);
 *     }
 *
 *     void polyfn_library(void) {
 *         polyfn_register("get", get, POLYFN_NO_WRITES, "reads a key");
 *     }
 *
 * Memory: every reply a function builds or a command returns, and every
 * polyfn_scratch block, lives in a per-call arena that is freed when the
 * function returns (nothing to free by hand; keep nothing across calls).
 * A NULL polyfn_reply pointer is the null reply.
 */
#ifndef POLYFN_H
#define POLYFN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* (C only: the call and aggregate macros use compound literals.) */
#define POLYFN_ABI_VERSION 1

/* Bytes: keys, arguments, reply text. Not NUL-terminated in general. */
typedef struct polyfn_bytes {
	const char *ptr;
	size_t len;
} polyfn_bytes;

/* A function's keys or arguments. */
typedef struct polyfn_list {
	size_t len;
	const polyfn_bytes *items;
} polyfn_list;

/* The type of a reply: RESP3's types. */
typedef enum polyfn_kind {
	POLYFN_NULL,
	POLYFN_STATUS,
	POLYFN_ERROR,
	POLYFN_INT,
	POLYFN_BULK,
	POLYFN_ARRAY,
	POLYFN_MAP,
	POLYFN_SET,
	POLYFN_DOUBLE,
	POLYFN_BOOL,
	POLYFN_BIGNUMBER,
	POLYFN_VERBATIM
} polyfn_kind;

/*
 * A reply: what a function returns and what a command answers. Read the
 * fields directly:
 *   integer  POLYFN_INT's value, POLYFN_BOOL's 1 or 0
 *   dbl      POLYFN_DOUBLE's value
 *   str/len  the text of STATUS, ERROR, BULK, BIGNUMBER, VERBATIM (always
 *            followed by a NUL byte, which len does not count)
 *   format   VERBATIM's format ("txt")
 *   elems/n  ARRAY's and SET's elements; MAP's keys and values
 *            alternately (n is twice the number of pairs). An element may
 *            be NULL (the null reply).
 */
typedef struct polyfn_reply {
	polyfn_kind kind;
	int64_t integer;
	double dbl;
	const char *str;
	size_t len;
	char format[4];
	struct polyfn_reply **elems;
	size_t n;
	size_t cap;
} polyfn_reply;

/* A library function: keys and args stay valid until it returns. */
typedef polyfn_reply *(*polyfn_fn)(polyfn_list keys, polyfn_list args);

/* Function flags, as Redis names them; join several with ",". */
#define POLYFN_NO_WRITES "no-writes"
#define POLYFN_ALLOW_OOM "allow-oom"
#define POLYFN_ALLOW_STALE "allow-stale"
#define POLYFN_NO_CLUSTER "no-cluster"
#define POLYFN_ALLOW_CROSS_SLOT_KEYS "allow-cross-slot-keys"

/* Log levels for polyfn_log. */
enum { POLYFN_LOG_DEBUG, POLYFN_LOG_VERBOSE, POLYFN_LOG_NOTICE, POLYFN_LOG_WARNING };

/* Replication targets for polyfn_set_repl, as redis.REPL_*. */
enum { POLYFN_REPL_NONE, POLYFN_REPL_AOF, POLYFN_REPL_REPLICA, POLYFN_REPL_ALL };

/*
 * The library defines this: it registers the library's functions with
 * polyfn_register. It runs when the library loads (and again whenever
 * the server makes a fresh instance, after a trap or a kill), and must
 * register the same functions in the same order each time. It may call
 * nothing but polyfn_register and polyfn_log.
 */
void polyfn_library(void);

/*
 * Registers fn as the library function name. flags are Redis's flag
 * names separated by "," (NULL or "" for none); description may be NULL.
 * The server checks names and flags (FUNCTION LOAD fails with Redis's
 * error otherwise).
 */
void polyfn_register(const char *name, polyfn_fn fn, const char *flags, const char *description);

/* Arguments for commands. */
polyfn_bytes polyfn_str(const char *s);            /* a C string */
polyfn_bytes polyfn_mem(const void *p, size_t n);  /* any bytes */
polyfn_bytes polyfn_i64(int64_t v);                /* an integer, in decimal */
polyfn_bytes polyfn_f64(double v);                 /* a double, as the Go SDK writes it */

/*
 * Runs a Redis command (argv[0] is its name). An error reply aborts the
 * function and becomes its reply, as redis.call in Lua; polyfn_pcall
 * returns errors as replies (kind POLYFN_ERROR). The reply is never NULL
 * (a null reply has kind POLYFN_NULL).
 */
polyfn_reply *polyfn_call_argv(size_t argc, const polyfn_bytes *argv);
polyfn_reply *polyfn_pcall_argv(size_t argc, const polyfn_bytes *argv);
/* polyfn_call(polyfn_str("SET"), keys.items[0], args.items[0]) */
#define polyfn_call(...) \
	polyfn_call_argv(sizeof((polyfn_bytes[]){__VA_ARGS__}) / sizeof(polyfn_bytes), (polyfn_bytes[]){__VA_ARGS__})
#define polyfn_pcall(...) \
	polyfn_pcall_argv(sizeof((polyfn_bytes[]){__VA_ARGS__}) / sizeof(polyfn_bytes), (polyfn_bytes[]){__VA_ARGS__})

/* Whether the calling user may run the command; an unknown command aborts. */
bool polyfn_acl_check_argv(size_t argc, const polyfn_bytes *argv);
#define polyfn_acl_check(...) \
	polyfn_acl_check_argv(sizeof((polyfn_bytes[]){__VA_ARGS__}) / sizeof(polyfn_bytes), (polyfn_bytes[]){__VA_ARGS__})

/* redis.log: level is POLYFN_LOG_DEBUG..POLYFN_LOG_WARNING. */
void polyfn_log(int level, const char *msg);
void polyfn_log_bytes(int level, polyfn_bytes msg);
/* The RESP version (2 or 3) command replies are shaped for; others abort. */
void polyfn_setresp(int version);
/* redis.set_repl: POLYFN_REPL_NONE..POLYFN_REPL_ALL. */
void polyfn_set_repl(int flags);

/*
 * Ends the function with a trap; msg goes to stderr as "panic: <msg>",
 * which the server adds to the error reply. The instance is thrown away
 * (its state is lost) and made again for the next call.
 */
__attribute__((noreturn)) void polyfn_panic(const char *msg);

/* Reply constructors (arena memory; strings are copied). */
polyfn_reply *polyfn_null(void);
polyfn_reply *polyfn_status(const char *s);
polyfn_reply *polyfn_error(const char *msg); /* the whole text, code first: "ERR ..." */
polyfn_reply *polyfn_error_bytes(polyfn_bytes msg);
polyfn_reply *polyfn_int(int64_t v);
polyfn_reply *polyfn_bulk(const void *p, size_t n);
polyfn_reply *polyfn_bulk_bytes(polyfn_bytes b);
polyfn_reply *polyfn_string(const char *s);
polyfn_reply *polyfn_double(double v);
polyfn_reply *polyfn_bool(bool v);
polyfn_reply *polyfn_bignumber(const char *digits);
polyfn_reply *polyfn_verbatim(const char *format, const void *text, size_t n);
/* Aggregates: an empty one to polyfn_push into, or one of given elements. */
polyfn_reply *polyfn_new_array(void);
polyfn_reply *polyfn_new_map(void); /* push key, value, key, value... */
polyfn_reply *polyfn_new_set(void);
polyfn_reply *polyfn_push(polyfn_reply *aggregate, polyfn_reply *elem);
polyfn_reply *polyfn_aggregate_of(polyfn_kind kind, size_t n, polyfn_reply *const *elems);
/* polyfn_array(polyfn_int(1), polyfn_string("two")); polyfn_array() is empty */
#define polyfn_array(...) polyfn__agg(POLYFN_ARRAY, __VA_ARGS__)
#define polyfn_set(...) polyfn__agg(POLYFN_SET, __VA_ARGS__)
/* polyfn_map(key1, value1, key2, value2...) */
#define polyfn_map(...) polyfn__agg(POLYFN_MAP, __VA_ARGS__)
#define polyfn__agg(kind, ...) \
	polyfn_aggregate_of(kind, sizeof((polyfn_reply *[]){__VA_ARGS__}) / sizeof(polyfn_reply *), \
	                    (polyfn_reply *[]){__VA_ARGS__})

/* Reading replies (a NULL reply reads as null). */
bool polyfn_is_null(const polyfn_reply *r);
bool polyfn_is_error(const polyfn_reply *r);
polyfn_kind polyfn_kind_of(const polyfn_reply *r);
/* The text of a string-like reply (empty for others). */
polyfn_bytes polyfn_reply_bytes(const polyfn_reply *r);
/* An integer or boolean's value; a bulk or status string's number (0 if none). */
int64_t polyfn_reply_int(const polyfn_reply *r);

/* Parses a decimal integer (as Redis accepts them); false if b is not one. */
bool polyfn_parse_int(polyfn_bytes b, int64_t *out);
/* Whether b equals the C string s. */
bool polyfn_eq(polyfn_bytes b, const char *s);
/* n bytes of arena memory, valid until the function returns. */
void *polyfn_scratch(size_t n);

#endif /* POLYFN_H */

/* ------------------------------------------------------------------ */

#ifdef POLYFN_IMPLEMENTATION
#ifndef POLYFN_IMPLEMENTED
#define POLYFN_IMPLEMENTED

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Host imports (module "polyfn"). */
#define POLYFN__IMPORT(name) __attribute__((import_module("polyfn"), import_name(name)))
POLYFN__IMPORT("register_function")
void polyfn__host_register(const char *, size_t, const char *, size_t, const char *, size_t, uint32_t);
POLYFN__IMPORT("call") uint32_t polyfn__host_call(const char *, size_t, char *, size_t);
POLYFN__IMPORT("pcall") uint32_t polyfn__host_pcall(const char *, size_t, char *, size_t);
POLYFN__IMPORT("reply_read") uint32_t polyfn__host_reply_read(char *, size_t);
POLYFN__IMPORT("log") void polyfn__host_log(int, const char *, size_t);
POLYFN__IMPORT("setresp") void polyfn__host_setresp(int);
POLYFN__IMPORT("set_repl") void polyfn__host_set_repl(int);
POLYFN__IMPORT("acl_check") uint32_t polyfn__host_acl_check(const char *, size_t);

/* ---- memory ---- */

static void *polyfn__xrealloc(void *p, size_t n) {
	p = realloc(p, n ? n : 1);
	if (!p)
		__builtin_trap();
	return p;
}

/* The arena: chunks freed (all but the first) when a call starts. */
typedef struct polyfn__chunk {
	struct polyfn__chunk *next;
	size_t used, cap;
} polyfn__chunk;

#define POLYFN__CHUNK 65536
static polyfn__chunk *polyfn__arena;

void *polyfn_scratch(size_t n) {
	n = (n + 7) & ~(size_t)7;
	polyfn__chunk *c = polyfn__arena;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > POLYFN__CHUNK ? n : POLYFN__CHUNK;
		c = (polyfn__chunk *)polyfn__xrealloc(NULL, sizeof(polyfn__chunk) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = polyfn__arena;
		polyfn__arena = c;
	}
	void *p = (char *)(c + 1) + c->used;
	c->used += n;
	return p;
}

static void polyfn__arena_reset(void) {
	polyfn__chunk *c = polyfn__arena;
	while (c && c->next) {
		polyfn__chunk *next = c->next;
		free(c);
		c = next;
	}
	if (c) {
		if (c->cap != POLYFN__CHUNK) {
			free(c);
			c = NULL;
		} else {
			c->used = 0;
		}
	}
	polyfn__arena = c;
}

/* A growable byte buffer (kept between calls). */
typedef struct polyfn__buf {
	char *p;
	size_t len, cap;
} polyfn__buf;

static void polyfn__grow(polyfn__buf *b, size_t more) {
	if (b->cap - b->len >= more)
		return;
	size_t cap = b->cap ? b->cap * 2 : 256;
	while (cap - b->len < more)
		cap *= 2;
	b->p = (char *)polyfn__xrealloc(b->p, cap);
	b->cap = cap;
}

static void polyfn__put(polyfn__buf *b, const void *p, size_t n) {
	polyfn__grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void polyfn__put_u32(polyfn__buf *b, uint32_t v) {
	unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	polyfn__put(b, le, 4);
}

static size_t polyfn__fmt_i64(char *out, int64_t v) {
	char tmp[24];
	size_t n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	size_t len = 0;
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}

/* As the Go SDK: 17 significant digits, inf / -inf / nan. */
static size_t polyfn__fmt_double(char *out, size_t cap, double v) {
	const char *s = NULL;
	if (isnan(v))
		s = "nan";
	else if (isinf(v))
		s = v > 0 ? "inf" : "-inf";
	if (s) {
		size_t n = strlen(s);
		memcpy(out, s, n);
		return n;
	}
	int n = snprintf(out, cap, "%.17g", v);
	return n < 0 ? 0 : (size_t)n;
}

static char *polyfn__dup(const void *p, size_t n) {
	char *s = (char *)polyfn_scratch(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* ---- arguments ---- */

polyfn_bytes polyfn_str(const char *s) {
	polyfn_bytes b = {s, strlen(s)};
	return b;
}

polyfn_bytes polyfn_mem(const void *p, size_t n) {
	polyfn_bytes b = {(const char *)p, n};
	return b;
}

polyfn_bytes polyfn_i64(int64_t v) {
	char *s = (char *)polyfn_scratch(24);
	polyfn_bytes b = {s, polyfn__fmt_i64(s, v)};
	return b;
}

polyfn_bytes polyfn_f64(double v) {
	char *s = (char *)polyfn_scratch(40);
	polyfn_bytes b = {s, polyfn__fmt_double(s, 40, v)};
	return b;
}

bool polyfn_eq(polyfn_bytes b, const char *s) {
	size_t n = strlen(s);
	return b.len == n && (n == 0 || memcmp(b.ptr, s, n) == 0);
}

bool polyfn_parse_int(polyfn_bytes b, int64_t *out) {
	size_t i = 0;
	bool neg = false;
	if (b.len == 0 || b.len > 20)
		return false;
	if (b.ptr[0] == '-') {
		neg = true;
		i = 1;
		if (b.len == 1)
			return false;
	}
	if (b.ptr[i] == '0' && b.len > i + 1)
		return false;
	uint64_t u = 0;
	for (; i < b.len; i++) {
		unsigned d = (unsigned char)b.ptr[i] - '0';
		if (d > 9 || u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
		return false;
	if (neg && u == 0)
		return false; /* "-0" */
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* ---- replies ---- */

static polyfn_reply *polyfn__new(polyfn_kind kind) {
	polyfn_reply *r = (polyfn_reply *)polyfn_scratch(sizeof(polyfn_reply));
	memset(r, 0, sizeof *r);
	r->kind = kind;
	return r;
}

static polyfn_reply *polyfn__text(polyfn_kind kind, const void *p, size_t n) {
	polyfn_reply *r = polyfn__new(kind);
	r->str = polyfn__dup(p, n);
	r->len = n;
	return r;
}

polyfn_reply *polyfn_null(void) { return polyfn__new(POLYFN_NULL); }
polyfn_reply *polyfn_status(const char *s) { return polyfn__text(POLYFN_STATUS, s, strlen(s)); }
polyfn_reply *polyfn_error(const char *msg) { return polyfn__text(POLYFN_ERROR, msg, strlen(msg)); }
polyfn_reply *polyfn_error_bytes(polyfn_bytes m) { return polyfn__text(POLYFN_ERROR, m.ptr, m.len); }
polyfn_reply *polyfn_bulk(const void *p, size_t n) { return polyfn__text(POLYFN_BULK, p, n); }
polyfn_reply *polyfn_bulk_bytes(polyfn_bytes b) { return polyfn__text(POLYFN_BULK, b.ptr, b.len); }
polyfn_reply *polyfn_string(const char *s) { return polyfn__text(POLYFN_BULK, s, strlen(s)); }
polyfn_reply *polyfn_bignumber(const char *d) { return polyfn__text(POLYFN_BIGNUMBER, d, strlen(d)); }

polyfn_reply *polyfn_int(int64_t v) {
	polyfn_reply *r = polyfn__new(POLYFN_INT);
	r->integer = v;
	return r;
}

polyfn_reply *polyfn_double(double v) {
	polyfn_reply *r = polyfn__new(POLYFN_DOUBLE);
	r->dbl = v;
	return r;
}

polyfn_reply *polyfn_bool(bool v) {
	polyfn_reply *r = polyfn__new(POLYFN_BOOL);
	r->integer = v ? 1 : 0;
	return r;
}

polyfn_reply *polyfn_verbatim(const char *format, const void *text, size_t n) {
	polyfn_reply *r = polyfn__text(POLYFN_VERBATIM, text, n);
	memcpy(r->format, "   ", 3);
	for (int i = 0; i < 3 && format[i]; i++)
		r->format[i] = format[i];
	return r;
}

polyfn_reply *polyfn_new_array(void) { return polyfn__new(POLYFN_ARRAY); }
polyfn_reply *polyfn_new_map(void) { return polyfn__new(POLYFN_MAP); }
polyfn_reply *polyfn_new_set(void) { return polyfn__new(POLYFN_SET); }

polyfn_reply *polyfn_push(polyfn_reply *a, polyfn_reply *elem) {
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		polyfn_reply **elems = (polyfn_reply **)polyfn_scratch(cap * sizeof(polyfn_reply *));
		if (a->n)
			memcpy(elems, a->elems, a->n * sizeof(polyfn_reply *));
		a->elems = elems;
		a->cap = cap;
	}
	a->elems[a->n++] = elem;
	return a;
}

polyfn_reply *polyfn_aggregate_of(polyfn_kind kind, size_t n, polyfn_reply *const *elems) {
	polyfn_reply *r = polyfn__new(kind);
	r->elems = (polyfn_reply **)polyfn_scratch((n ? n : 1) * sizeof(polyfn_reply *));
	if (n)
		memcpy(r->elems, elems, n * sizeof(polyfn_reply *));
	r->n = r->cap = n;
	return r;
}

bool polyfn_is_null(const polyfn_reply *r) { return !r || r->kind == POLYFN_NULL; }
bool polyfn_is_error(const polyfn_reply *r) { return r && r->kind == POLYFN_ERROR; }
polyfn_kind polyfn_kind_of(const polyfn_reply *r) { return r ? r->kind : POLYFN_NULL; }

polyfn_bytes polyfn_reply_bytes(const polyfn_reply *r) {
	polyfn_bytes b = {"", 0};
	if (r && r->str) {
		b.ptr = r->str;
		b.len = r->len;
	}
	return b;
}

int64_t polyfn_reply_int(const polyfn_reply *r) {
	int64_t v = 0;
	if (!r)
		return 0;
	if (r->kind == POLYFN_BULK || r->kind == POLYFN_STATUS) {
		polyfn_parse_int(polyfn_reply_bytes(r), &v);
		return v;
	}
	return r->integer;
}

/* ---- RESP ---- */

static void polyfn__line(polyfn__buf *b, char prefix, const char *s, size_t n, bool clean) {
	polyfn__put(b, &prefix, 1);
	size_t start = b->len;
	polyfn__put(b, s, n);
	if (clean) /* a status or error is one line */
		for (size_t i = start; i < b->len; i++)
			if (b->p[i] == '\r' || b->p[i] == '\n')
				b->p[i] = ' ';
	polyfn__put(b, "\r\n", 2);
}

static void polyfn__head(polyfn__buf *b, char prefix, size_t n) {
	char num[24];
	polyfn__line(b, prefix, num, polyfn__fmt_i64(num, (int64_t)n), false);
}

/* Appends r as RESP3. */
static void polyfn__write(polyfn__buf *b, const polyfn_reply *r) {
	char num[40];
	switch (polyfn_kind_of(r)) {
	case POLYFN_STATUS:
		polyfn__line(b, '+', r->str, r->len, true);
		return;
	case POLYFN_ERROR:
		polyfn__line(b, '-', r->str, r->len, true);
		return;
	case POLYFN_INT:
		polyfn__line(b, ':', num, polyfn__fmt_i64(num, r->integer), false);
		return;
	case POLYFN_BULK:
		polyfn__head(b, '$', r->len);
		polyfn__put(b, r->str, r->len);
		polyfn__put(b, "\r\n", 2);
		return;
	case POLYFN_ARRAY:
	case POLYFN_SET:
		polyfn__head(b, r->kind == POLYFN_SET ? '~' : '*', r->n);
		for (size_t i = 0; i < r->n; i++)
			polyfn__write(b, r->elems[i]);
		return;
	case POLYFN_MAP:
		polyfn__head(b, '%', (r->n + 1) / 2);
		for (size_t i = 0; i < r->n; i++)
			polyfn__write(b, r->elems[i]);
		if (r->n % 2)
			polyfn__put(b, "_\r\n", 3);
		return;
	case POLYFN_DOUBLE:
		polyfn__line(b, ',', num, polyfn__fmt_double(num, sizeof num, r->dbl), false);
		return;
	case POLYFN_BOOL:
		polyfn__put(b, r->integer ? "#t\r\n" : "#f\r\n", 4);
		return;
	case POLYFN_BIGNUMBER:
		polyfn__line(b, '(', r->str, r->len, true);
		return;
	case POLYFN_VERBATIM:
		polyfn__head(b, '=', r->len + 4);
		polyfn__put(b, r->format, 3);
		polyfn__put(b, ":", 1);
		polyfn__put(b, r->str, r->len);
		polyfn__put(b, "\r\n", 2);
		return;
	case POLYFN_NULL:
		break;
	}
	polyfn__put(b, "_\r\n", 3);
}

/* Reads one RESP3 value (as the host writes them) from *p..end into the
 * arena; NULL when malformed. */
static polyfn_reply *polyfn__parse(const char **p, const char *end) {
	const char *s = *p;
	if (s >= end)
		return NULL;
	const char *eol = s + 1;
	while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
		eol++;
	if (eol + 1 >= end)
		return NULL;
	char prefix = s[0];
	polyfn_bytes head = {s + 1, (size_t)(eol - s - 1)};
	const char *rest = eol + 2;
	polyfn_reply *r = NULL;
	int64_t n = 0;
	switch (prefix) {
	case '+':
		r = polyfn__text(POLYFN_STATUS, head.ptr, head.len);
		break;
	case '-':
		r = polyfn__text(POLYFN_ERROR, head.ptr, head.len);
		break;
	case '(':
		r = polyfn__text(POLYFN_BIGNUMBER, head.ptr, head.len);
		break;
	case ':':
		r = polyfn__new(POLYFN_INT);
		if (!polyfn_parse_int(head, &r->integer))
			return NULL;
		break;
	case ',':
		r = polyfn__new(POLYFN_DOUBLE);
		r->dbl = strtod(polyfn__dup(head.ptr, head.len), NULL);
		break;
	case '#':
		r = polyfn_bool(head.len == 1 && head.ptr[0] == 't');
		break;
	case '_':
		r = polyfn__new(POLYFN_NULL);
		break;
	case '$':
	case '=':
		if (!polyfn_parse_int(head, &n) || n < 0 || (uint64_t)n + 2 > (uint64_t)(end - rest))
			return NULL;
		if (prefix == '=' && n >= 4) {
			r = polyfn_verbatim(rest, rest + 4, (size_t)n - 4);
		} else {
			r = polyfn__text(POLYFN_BULK, rest, (size_t)n);
		}
		rest += n + 2;
		break;
	case '*':
	case '~':
	case '%':
	case '>':
		if (!polyfn_parse_int(head, &n) || n < 0 || (uint64_t)n > (uint64_t)(end - rest))
			return NULL;
		r = polyfn__new(prefix == '~' ? POLYFN_SET : prefix == '%' ? POLYFN_MAP : POLYFN_ARRAY);
		if (prefix == '%')
			n *= 2;
		r->elems = (polyfn_reply **)polyfn_scratch((n ? (size_t)n : 1) * sizeof(polyfn_reply *));
		r->n = r->cap = (size_t)n;
		for (int64_t i = 0; i < n; i++)
			if (!(r->elems[i] = polyfn__parse(&rest, end)))
				return NULL;
		break;
	default:
		return NULL;
	}
	*p = rest;
	return r;
}

/* ---- host calls ---- */

static polyfn__buf polyfn__cmd;  /* a command's encoded arguments */
static char polyfn__replybuf[16384];

static void polyfn__encode(size_t argc, const polyfn_bytes *argv) {
	polyfn__cmd.len = 0;
	polyfn__put_u32(&polyfn__cmd, (uint32_t)argc);
	for (size_t i = 0; i < argc; i++) {
		polyfn__put_u32(&polyfn__cmd, (uint32_t)argv[i].len);
		polyfn__put(&polyfn__cmd, argv[i].ptr, argv[i].len);
	}
}

static polyfn_reply *polyfn__command(bool raise, size_t argc, const polyfn_bytes *argv) {
	polyfn__encode(argc, argv);
	char *buf = polyfn__replybuf;
	uint32_t n = (raise ? polyfn__host_call : polyfn__host_pcall)(polyfn__cmd.p, polyfn__cmd.len, buf,
	                                                              sizeof polyfn__replybuf);
	if (n > sizeof polyfn__replybuf) {
		buf = (char *)polyfn_scratch(n);
		polyfn__host_reply_read(buf, n);
	}
	const char *p = buf;
	polyfn_reply *r = polyfn__parse(&p, buf + n);
	return r ? r : polyfn_error("ERR polyfn SDK: malformed reply from the host");
}

polyfn_reply *polyfn_call_argv(size_t argc, const polyfn_bytes *argv) { return polyfn__command(true, argc, argv); }
polyfn_reply *polyfn_pcall_argv(size_t argc, const polyfn_bytes *argv) { return polyfn__command(false, argc, argv); }

bool polyfn_acl_check_argv(size_t argc, const polyfn_bytes *argv) {
	polyfn__encode(argc, argv);
	return polyfn__host_acl_check(polyfn__cmd.p, polyfn__cmd.len) == 1;
}

void polyfn_log(int level, const char *msg) { polyfn__host_log(level, msg, strlen(msg)); }
void polyfn_log_bytes(int level, polyfn_bytes msg) { polyfn__host_log(level, msg.ptr, msg.len); }
void polyfn_setresp(int version) { polyfn__host_setresp(version); }
void polyfn_set_repl(int flags) { polyfn__host_set_repl(flags); }

__attribute__((noreturn)) void polyfn_panic(const char *msg) {
	size_t n = strlen(msg);
	char *line = (char *)polyfn_scratch(n + 8);
	memcpy(line, "panic: ", 7);
	memcpy(line + 7, msg, n);
	line[n + 7] = '\n';
	(void)!write(2, line, n + 8);
	__builtin_trap();
}

/* ---- registration and the ABI's exports ---- */

static polyfn_fn *polyfn__fns;
static size_t polyfn__nfns;

void polyfn_register(const char *name, polyfn_fn fn, const char *flags, const char *description) {
	flags = flags ? flags : "";
	description = description ? description : "";
	/* The host first: it traps on a bad name or flag, or outside polyfn_init. */
	polyfn__host_register(name, strlen(name), flags, strlen(flags), description, strlen(description),
	                      (uint32_t)polyfn__nfns);
	polyfn__fns = (polyfn_fn *)polyfn__xrealloc(polyfn__fns, (polyfn__nfns + 1) * sizeof(polyfn_fn));
	polyfn__fns[polyfn__nfns++] = fn;
}

__attribute__((export_name("polyfn_abi_version"))) int32_t polyfn__abi_version(void) { return POLYFN_ABI_VERSION; }

__attribute__((export_name("polyfn_init"))) void polyfn__init(void) {
	polyfn__nfns = 0;
	polyfn_library();
}

static polyfn__buf polyfn__args;   /* the next call's keys and args */
static polyfn__buf polyfn__reply;  /* the last call's reply */

__attribute__((export_name("polyfn_alloc"))) char *polyfn__alloc(uint32_t n) {
	polyfn__args.len = 0;
	polyfn__grow(&polyfn__args, n);
	return polyfn__args.p;
}

/* polyfn_alloc's memory stays valid until the next polyfn_alloc (ABI.md):
 * the host writes later calls' keys and args there while they fit. */
__attribute__((export_name("polyfn_alloc_keep"))) void polyfn__alloc_keep(void) {}

static uint32_t polyfn__u32(const char *p) {
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* Decodes one list at *p..end into the arena. */
static bool polyfn__list(const char **p, const char *end, polyfn_list *out) {
	if (end - *p < 4)
		return false;
	uint32_t n = polyfn__u32(*p);
	*p += 4;
	if ((uint64_t)n * 4 > (uint64_t)(end - *p))
		return false;
	polyfn_bytes *items = (polyfn_bytes *)polyfn_scratch((n ? n : 1) * sizeof(polyfn_bytes));
	for (uint32_t i = 0; i < n; i++) {
		if (end - *p < 4)
			return false;
		uint32_t l = polyfn__u32(*p);
		*p += 4;
		if (l > (uint64_t)(end - *p))
			return false;
		items[i].ptr = *p;
		items[i].len = l;
		*p += l;
	}
	out->len = n;
	out->items = items;
	return true;
}

__attribute__((export_name("polyfn_call"))) uint64_t polyfn__call(uint32_t h, const char *p, uint32_t n) {
	polyfn__arena_reset();
	polyfn_reply *r;
	polyfn_list keys, args;
	const char *end = p + n;
	if (h >= polyfn__nfns)
		r = polyfn_error("ERR polyfn SDK: no function with this handle");
	else if (p != polyfn__args.p || n > polyfn__args.cap || !polyfn__list(&p, end, &keys) ||
	         !polyfn__list(&p, end, &args))
		r = polyfn_error("ERR polyfn SDK: malformed arguments from the host");
	else
		r = polyfn__fns[h](keys, args);
	polyfn__reply.len = 0;
	polyfn__write(&polyfn__reply, r);
	return (uint64_t)(uintptr_t)polyfn__reply.p << 32 | (uint64_t)polyfn__reply.len;
}

#endif /* POLYFN_IMPLEMENTED */
#endif /* POLYFN_IMPLEMENTATION */
