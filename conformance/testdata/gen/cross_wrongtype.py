#!/usr/bin/env python3
"""Generates ../diff/cross-wrongtype.txt: every command of every type run
against a key of every other type, then checks that nothing changed."""

SETUP = {
    "string": ["SET s:{T} sval"],
    "list": ["RPUSH l:{T} a b c"],
    "hash": ["HSET h:{T} f1 v1 f2 v2"],
    "set": ["SADD st:{T} 1 2 3", "SADD sx:{T} x y"],
    "zset": ["ZADD z:{T} 1 a 2 b 3 c"],
}
CHECK = {
    "string": ["TYPE s:{T}", "GET s:{T}"],
    "list": ["TYPE l:{T}", "LRANGE l:{T} 0 -1", "OBJECT ENCODING l:{T}"],
    "hash": ["TYPE h:{T}", "!sort HGETALL h:{T}"],
    "set": ["TYPE st:{T}", "!sort SMEMBERS st:{T}", "OBJECT ENCODING st:{T}",
            "!sort SMEMBERS sx:{T}"],
    "zset": ["TYPE z:{T}", "ZRANGE z:{T} 0 -1 WITHSCORES"],
}
KEY = {"string": "s:{T}", "list": "l:{T}", "hash": "h:{T}", "set": "sx:{T}", "zset": "z:{T}"}

# {k}: key of the wrong type; {o}: a fresh key (missing); {g}: good key of the command's type
CMDS = {
    "string": [
        "GET {k}", "SET {k} x GET", "SET {k} x NX GET", "GETSET {k} x", "GETDEL {k}", "GETEX {k}",
        "GETEX {k} PX 100", "APPEND {k} x", "INCR {k}", "INCRBY {k} 2", "DECR {k}",
        "DECRBY {k} 2", "INCRBYFLOAT {k} 1.5", "GETRANGE {k} 0 -1", "SUBSTR {k} 0 -1",
        "SETRANGE {k} 0 x", "SETRANGE {k} 0 ''", "STRLEN {k}", "MGET {k} {g}",
        "SETBIT {k} 1 1", "GETBIT {k} 1", "BITCOUNT {k}", "BITCOUNT {k} 0 -1 BIT", "BITPOS {k} 1",
        "BITFIELD {k} GET u8 0", "BITFIELD {k} SET u8 0 1", "BITFIELD_RO {k} GET u8 0",
        "BITOP AND {o} {k} {g}", "BITOP NOT {o} {k}", "LCS {k} {g}", "LCS {g} {k}",
        "EXISTS {o}",
    ],
    "list": [
        "LPUSH {k} x", "RPUSH {k} x", "LPUSHX {k} x", "RPUSHX {k} x", "LPOP {k}", "LPOP {k} 2",
        "RPOP {k}", "RPOP {k} 0", "LLEN {k}", "LRANGE {k} 0 -1", "LINDEX {k} 0", "LSET {k} 0 x",
        "LINSERT {k} BEFORE a x", "LREM {k} 0 a", "LTRIM {k} 0 0", "LPOS {k} a",
        "LPOS {k} a RANK 1 COUNT 0", "LMOVE {k} {g} LEFT RIGHT", "LMOVE {g} {k} LEFT RIGHT",
        "LMOVE {k} {k} LEFT LEFT", "RPOPLPUSH {k} {g}", "RPOPLPUSH {g} {k}", "LMPOP 2 {o} {k} LEFT",
        "LMPOP 2 {k} {g} RIGHT COUNT 2", "BLPOP {k} 0", "BRPOP {o} {k} 0", "BLPOP {k} {g} 1",
        "BLMOVE {k} {g} LEFT RIGHT 0", "BLMOVE {g} {k} LEFT RIGHT 0", "BRPOPLPUSH {k} {g} 0",
        "BRPOPLPUSH {g} {k} 0", "BLMPOP 0 1 {k} LEFT", "BLMPOP 0 2 {o} {k} LEFT COUNT 3",
    ],
    "hash": [
        "HSET {k} f v", "HSETNX {k} f v", "HMSET {k} f v", "HGET {k} f", "HMGET {k} f g",
        "HDEL {k} f", "HLEN {k}", "HSTRLEN {k} f", "HEXISTS {k} f", "!sort HKEYS {k}",
        "!sort HVALS {k}", "!sort HGETALL {k}", "HINCRBY {k} f 1", "HINCRBYFLOAT {k} f 1.5",
        "HRANDFIELD {k}", "HRANDFIELD {k} 2 WITHVALUES", "HRANDFIELD {k} 0", "HSCAN {k} 0",
    ],
    "set": [
        "SADD {k} x", "SREM {k} x", "SCARD {k}", "SISMEMBER {k} x", "SMISMEMBER {k} x y",
        "!sort SMEMBERS {k}", "SPOP {k}", "SPOP {k} 2", "SPOP {k} 0", "SRANDMEMBER {k}",
        "SRANDMEMBER {k} -2", "SRANDMEMBER {k} 0", "SMOVE {k} {g} x", "SMOVE {g} {k} x",
        "SMOVE {g} {k} nosuch", "!sort SINTER {k} {g}", "!sort SINTER {g} {k}", "!sort SINTER {o} {k}",
        "!sort SUNION {g} {k}", "!sort SDIFF {k} {g}", "!sort SDIFF {g} {k}", "!sort SDIFF {o} {k}",
        "SINTERSTORE {o} {g} {k}", "SUNIONSTORE {o} {k}", "SDIFFSTORE {o} {g} {k}",
        
        "SINTERCARD 2 {g} {k}", "SINTERCARD 2 {o} {k}", "SINTERCARD 1 {k} LIMIT 1", "SSCAN {k} 0",
    ],
    "zset": [
        "ZADD {k} 1 x", "ZADD {k} XX CH 1 x", "ZADD {k} INCR 1 x", "ZINCRBY {k} 1 x", "ZREM {k} x",
        "ZCARD {k}", "ZCOUNT {k} -inf +inf", "ZLEXCOUNT {k} - +", "ZSCORE {k} x",
        "ZMSCORE {k} x y", "ZRANK {k} x", "ZREVRANK {k} x", "ZRANGE {k} 0 -1",
        "ZRANGE {k} 0 -1 BYSCORE REV LIMIT 0 1", "ZRANGEBYSCORE {k} -inf +inf",
        "ZREVRANGEBYSCORE {k} +inf -inf", "ZRANGEBYLEX {k} - +", "ZREVRANGEBYLEX {k} + -",
        "ZREVRANGE {k} 0 -1", "ZRANGESTORE {o} {k} 0 -1",
        "ZPOPMIN {k}", "ZPOPMAX {k} 2", "ZMPOP 1 {k} MIN", "ZMPOP 2 {o} {k} MAX COUNT 2",
        "BZPOPMIN {k} 0", "BZPOPMAX {o} {k} 0", "BZMPOP 0 1 {k} MIN", "BZMPOP 0 2 {o} {k} MAX",
        "ZRANDMEMBER {k}", "ZRANDMEMBER {k} 2 WITHSCORES", "ZSCAN {k} 0",
        "ZREMRANGEBYSCORE {k} -inf +inf", "ZREMRANGEBYRANK {k} 0 -1", "ZREMRANGEBYLEX {k} - +",
        "ZUNION 2 {g} {k}", "ZINTER 2 {g} {k}", "ZINTER 2 {o} {k}", "ZDIFF 2 {g} {k}",
        "ZDIFF 2 {o} {k}", "ZUNIONSTORE {o} 2 {g} {k}", "ZINTERSTORE {o} 2 {g} {k}",
        "ZDIFFSTORE {o} 2 {g} {k}", "ZINTERCARD 2 {g} {k}", "ZINTERCARD 2 {o} {k}",
        "ZUNION 1 {k} WEIGHTS 2 AGGREGATE MAX WITHSCORES",
    ],
}
DEST = {
    "string": ["BITOP OR {k} {g}"],
    "set": ["SINTERSTORE {k} {g}", "SUNIONSTORE {k} {g}", "SDIFFSTORE {k} {g} {g}"],
    "zset": ["ZRANGESTORE {k} {g} 0 -1", "ZUNIONSTORE {k} 1 {g}", "ZDIFFSTORE {k} 2 {g} {g}"],
}
GOOD = {"string": "gs", "list": "gl", "hash": "gh", "set": "gset", "zset": "gz"}
GOODSETUP = ["SET gs hello", "RPUSH gl g1 g2", "HSET gh f v", "SADD gset x 1",
             "ZADD gz 5 x 6 y"]
GOODCHECK = ["GET gs", "LRANGE gl 0 -1", "!sort HGETALL gh", "!sort SMEMBERS gset",
             "ZRANGE gz 0 -1 WITHSCORES", "EXISTS missing"]

out = ["# Generated by testdata/gen/cross_wrongtype.py: every type's commands against",
       "# keys of every other type; the error is compared and afterwards nothing may",
       "# have changed (type, contents, encoding) and no missing key may have appeared.",
       "!server --enable-debug-command yes"]
for T, cmds in CMDS.items():
    out.append("")
    out.append(f"# ---- {T} commands")
    out.extend(GOODSETUP)
    others = [o for o in KEY if o != T]
    for o in others:
        for s in SETUP[o]:
            out.append(s.format(T=T))
    for o in others:
        k = KEY[o].format(T=T)
        for c in cmds:
            out.append(c.format(k=k, o="missing", g=GOOD[T]))
        if o == "set":  # the intset-encoded set as well
            for c in cmds[:6]:
                out.append(c.format(k=f"st:{T}", o="missing", g=GOOD[T]))
    for o in others:
        for s in CHECK[o]:
            out.append(s.format(T=T))
    out.extend(GOODCHECK)
    out.append("DBSIZE")
    # a destination of another type is overwritten, not an error
    for o in others:
        k = KEY[o].format(T=T)
        for c in DEST.get(T, []):
            out.append(c.format(k=k, g=GOOD[T]))
            out.append(f"TYPE {k}")
            out.append(f"OBJECT ENCODING {k}")
    out.append("FLUSHALL")
open(__file__.rsplit("/", 2)[0] + "/diff/cross-wrongtype.txt", "w").write("\n".join(out) + "\n")
