// An example polyfn library in AssemblyScript. Build it with
// `npm run build` (build/example.wasm) and load it with
//   (printf '#!wasm name=asexample\n'; cat build/example.wasm) | redis-cli -x FUNCTION LOAD
import {
  registerFunction, command, call, pcall, log, setResp, aclCheckCmd, Command,
  Reply, bytes, str, parseInteger, NO_WRITES, LOG_NOTICE,
} from "../assembly/polyfn";
import { sha256hex } from "./sha256";

export * from "../assembly/exports";

// FCALL hello 0 [name] -> "Hello, <name>!"
registerFunction("hello", (keys, args) => {
  const name = args.length > 0 ? str(args[0]) : "stranger";
  return Reply.text("Hello, " + name + "!");
}, [NO_WRITES], "greets");

// FCALL set_get 1 key value -> value, after SET key value (any bytes).
registerFunction("set_get", (keys, args) => {
  command("SET").arg(keys[0]).arg(args[0]).call();
  return command("GET").arg(keys[0]).call();
});

// FCALL echo 0 a b ... -> the arguments as an array of bulk strings.
registerFunction("echo", (keys, args) => {
  const out = new Array<Reply>(0);
  for (let i = 0; i < args.length; i++) out.push(Reply.bulk(args[i]));
  return Reply.array(out);
}, [NO_WRITES]);

// FCALL call_any 0 CMD args... -> the command's reply; an error aborts.
registerFunction("call_any", (keys, args) => call(args));

// FCALL pcall_any 0 CMD args... -> the command's reply, or
// "caught: <error>" when it fails.
registerFunction("pcall_any", (keys, args) => {
  const r = pcall(args);
  if (r.isError()) return Reply.text("caught: " + r.text());
  return r;
});

// FCALL fail 0 -> an error reply of the function's own.
registerFunction("fail", (keys, args) => Reply.error("MYERR something went wrong"), [NO_WRITES]);

// FCALL crash 0 -> a thrown error, which ends the call with an error reply.
registerFunction("crash", (keys, args) => {
  throw new Error("deliberate");
}, [NO_WRITES]);

// FCALL types 0 -> one reply of every type, shaped per protocol.
registerFunction("types", (keys, args) => {
  return Reply.array([
    Reply.status("OK"), Reply.int(-42), Reply.nil(), Reply.double(3.5),
    Reply.bool(true), Reply.bool(false), Reply.bigNumber("12345678901234567890"),
    Reply.verbatim("txt", "some text"),
    Reply.map([Reply.text("k"), Reply.int(1)]), Reply.set([Reply.text("m")]),
  ]);
}, [NO_WRITES]);

// FCALL resp3_get 1 key -> HGETALL key, asked for in RESP3 (a map).
registerFunction("resp3_hgetall", (keys, args) => {
  setResp(3);
  return command("HGETALL").arg(keys[0]).call();
}, [NO_WRITES]);

// FCALL may 0 CMD args... -> whether the caller may run the command.
registerFunction("may", (keys, args) => Reply.bool(aclCheckCmd(args)), [NO_WRITES]);

// FCALL logged 0 msg -> OK, after writing msg to the server log.
registerFunction("logged", (keys, args) => {
  log(LOG_NOTICE, str(args[0]));
  return Reply.status("OK");
}, [NO_WRITES]);

// FCALL count_to 0 n -> n, counted in a loop in the guest.
registerFunction("count_to", (keys, args) => {
  const n = parseInteger(args[0]);
  let i: i64 = 0;
  for (; i < n; i++) {}
  return Reply.int(i);
}, [NO_WRITES]);

// FCALL one 0 -> 1 (the benchmarks' trivial function, as Lua's "return 1").
registerFunction("one", (keys, args) => Reply.int(1), [NO_WRITES]);

// FCALL sum_loop 0 n -> the sum of i*2 for i = 1..n, added up in a loop
// (the benchmarks' 1,000-iteration arithmetic loop, as the Lua one).
registerFunction("sum_loop", (keys, args) => {
  const n = parseInteger(args[0]);
  let s: i64 = 0;
  for (let i: i64 = 1; i <= n; i++) s += i * 2;
  return Reply.int(s);
}, [NO_WRITES]);

// FCALL sha256hex 0 data -> the SHA-256 of data, in hex.
registerFunction("sha256hex", (keys, args) => Reply.bulk(sha256hex(args[0])), [NO_WRITES]);

// FCALL grow_args 0 [arg...] -> the number of arguments plus one, after
// adding one to args (the SDK hands an empty list out again: a function
// that changes it must not change the next call's).
registerFunction("grow_args", (keys, args) => {
  args.push(bytes("x"));
  return Reply.int(args.length);
}, [NO_WRITES]);

// FCALL incr_by 1 key n -> INCRBY key n, with n a number argument.
registerFunction("incr_by", (keys, args) => {
  return command("INCRBY").arg(keys[0]).arg(parseInteger(args[0])).call();
});

// Keys, args and replies stay what they were after the call returns, so
// a library may keep them. FCALL keep 1 k v keeps k, v and the reply of
// ECHO v, and returns how many it keeps; FCALL kept 0 returns them all.
const kept = new Array<Reply>(0);
registerFunction("keep", (keys, args) => {
  kept.push(Reply.bulk(keys[0]));
  kept.push(Reply.bulk(args[0]));
  kept.push(command("ECHO").arg(args[0]).call());
  return Reply.int(kept.length);
}, [NO_WRITES]);
registerFunction("kept", (keys, args) => Reply.array(kept), [NO_WRITES]);

// FCALL copy 2 dst src -> OK, after SET dst to GET src: a command built
// while another one is. It keeps the value too (FCALL kept 0).
registerFunction("copy", (keys, args) => {
  const set = command("SET").arg(keys[0]);
  const v = command("GET").arg(keys[1]).call().data;
  kept.push(Reply.bulk(v));
  return set.arg(v).call();
});

// So may a command: FCALL incr_later 1 key builds INCR key for the next
// call to run, and runs the one the previous call built (null the first
// time).
let later: Command | null = null;
registerFunction("incr_later", (keys, args) => {
  const prev = later;
  later = command("INCR").arg(keys[0]);
  return prev ? prev.call() : Reply.nil();
});
