// The AssemblyScript guest SDK for polyfn's WebAssembly engine: the guest
// side of polyfn ABI 1 (engines/wasm/ABI.md), so that a library is
// ordinary AssemblyScript.
//
//   import { registerFunction, command, Reply } from "polyfn/assembly/polyfn";
//   export * from "polyfn/assembly/exports"; // the ABI's exports
//
//   registerFunction("hello", (keys, args) => command("GET").arg(keys[0]).call());
//
// Register functions from the entry file's top-level code. README.md has
// the build command.
import { Reply } from "./reply";
import { arena } from "./arena";
import { ListReader, RespReader, Writer } from "./resp";

export { Kind, Reply, bytes, str, parseInteger, formatDouble } from "./reply";

// Host imports (ABI.md). Pointers and lengths are i32.
@external("polyfn", "register_function")
declare function hostRegister(namePtr: usize, nameLen: i32, flagsPtr: usize, flagsLen: i32, descPtr: usize, descLen: i32, handle: i32): void;
@external("polyfn", "call")
declare function hostCall(argsPtr: usize, argsLen: i32, bufPtr: usize, bufCap: i32): i32;
@external("polyfn", "pcall")
declare function hostPCall(argsPtr: usize, argsLen: i32, bufPtr: usize, bufCap: i32): i32;
@external("polyfn", "reply_read")
declare function hostReplyRead(ptr: usize, cap: i32): i32;
@external("polyfn", "log")
declare function hostLog(level: i32, ptr: usize, len: i32): void;
@external("polyfn", "setresp")
declare function hostSetResp(v: i32): void;
@external("polyfn", "set_repl")
declare function hostSetRepl(v: i32): void;
@external("polyfn", "acl_check")
declare function hostACLCheck(argsPtr: usize, argsLen: i32): i32;

/** A library function: it gets the FCALL keys and arguments, returns the reply. */
export type Func = (keys: Uint8Array[], args: Uint8Array[]) => Reply;

/** Function flags, as Redis names them. */
export const NO_WRITES = "no-writes";
export const ALLOW_OOM = "allow-oom";
export const ALLOW_STALE = "allow-stale";
export const NO_CLUSTER = "no-cluster";
export const ALLOW_CROSS_SLOT_KEYS = "allow-cross-slot-keys";

class Registration {
  constructor(public name: string, public fn: Func, public flags: string[], public description: string) {}
}

const registry = new Array<Registration>(0);

/**
 * Registers fn as the library function name, with Redis's flags (e.g.
 * [NO_WRITES]) and an optional description. Call it from top-level code;
 * the host validates names and flags when the library loads.
 */
export function registerFunction(name: string, fn: Func, flags: string[] = [], description: string = ""): void {
  registry.push(new Registration(name, fn, flags, description));
}

/** Log levels for log(), as redis.LOG_*. */
export const LOG_DEBUG = 0;
export const LOG_VERBOSE = 1;
export const LOG_NOTICE = 2;
export const LOG_WARNING = 3;

/** Writes msg to the server log at level (LOG_DEBUG...LOG_WARNING). */
export function log(level: i32, msg: string): void {
  const b = String.UTF8.encode(msg);
  hostLog(level, changetype<usize>(b), b.byteLength);
}

/** Chooses the RESP version (2 or 3) of the replies call() returns. */
export function setResp(version: i32): void {
  hostSetResp(version);
}

/** Replication targets for setRepl, as redis.REPL_*. */
export const REPL_NONE = 0;
export const REPL_AOF = 1;
export const REPL_REPLICA = 2;
export const REPL_ALL = 3;

/** Sets where the function's effects are propagated. */
export function setRepl(flags: i32): void {
  hostSetRepl(flags);
}

/**
 * A command being built: command("SET").arg(key).arg("value").arg(42),
 * then .call(), .pcall() or .aclCheck(). Arguments are strings (sent as
 * UTF-8), Uint8Arrays (any bytes) or numbers (sent in decimal).
 */
export class Command {
  // The encoded command (ABI.md's list: the count, then each item) is
  // [off, off+len) of buf, a region of the arena (arena.ts).
  private buf: ArrayBuffer;
  private off: i32;
  private len: i32 = 0;
  private n: u32 = 0;

  constructor() {
    this.buf = arena.buf;
    this.off = arena.used;
    this.room(4);
  }

  // room makes n more bytes at the end of the command and returns their
  // address. The command grows in place while it is the arena's last
  // region, else it moves to the arena's end: a command built while
  // another was (nesting), or called again after others, keeps its bytes.
  private room(n: i32): usize {
    const end = this.off + this.len;
    if (this.buf !== arena.buf || end != arena.used || !arena.fits(n)) {
      // A large command moves to where it can double, so that adding
      // arguments one by one copies it only so many times.
      const need = this.len + n;
      if (need > 4096) arena.reserve(2 * need);
      const at = arena.take(need);
      memory.copy(changetype<usize>(arena.buf) + at, changetype<usize>(this.buf) + this.off, this.len);
      this.buf = arena.buf;
      this.off = at;
    } else {
      arena.used += n;
    }
    const p = changetype<usize>(this.buf) + this.off + this.len;
    this.len += n;
    return p;
  }

  arg<T>(v: T): Command {
    if (isInteger<T>() || isFloat<T>()) {
      const s = isFloat<T>() ? formatNumber(<f64>v) : v.toString();
      const p = this.room(4 + s.length);
      store<u32>(p, s.length);
      for (let i = 0; i < s.length; i++) store<u8>(p + 4 + i, <u8>s.charCodeAt(i));
    } else if (isString<T>()) {
      const s = changetype<string>(v);
      const n = String.UTF8.byteLength(s);
      const p = this.room(4 + n);
      store<u32>(p, n);
      String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p + 4);
    } else if (idof<T>() == idof<Uint8Array>()) {
      const b = changetype<Uint8Array>(v);
      const p = this.room(4 + b.length);
      store<u32>(p, b.length);
      memory.copy(p + 4, b.dataStart, b.length);
    } else {
      ERROR("command arguments are strings, Uint8Arrays or numbers");
    }
    this.n++;
    return this;
  }

  /** Adds every item of args. */
  args(args: Uint8Array[]): Command {
    for (let i = 0; i < args.length; i++) this.arg(args[i]);
    return this;
  }

  private encoded(): usize {
    const p = changetype<usize>(this.buf) + this.off;
    store<u32>(p, this.n);
    return p;
  }

  /**
   * Runs the command and returns its reply. An error reply aborts the
   * function (as redis.call in Lua): the error becomes its reply.
   */
  call(): Reply {
    return runCommand(true, this.encoded(), this.len);
  }

  /** Runs the command and returns its reply, errors included (as redis.pcall). */
  pcall(): Reply {
    return runCommand(false, this.encoded(), this.len);
  }

  /** Whether the calling user may run the command (an unknown one aborts). */
  aclCheck(): bool {
    return hostACLCheck(this.encoded(), this.len) == 1;
  }
}

/** Starts a command: command("GET").arg(key).call(). */
export function command(name: string): Command {
  return new Command().arg(name);
}

/** Runs the command args (name first); an error reply aborts the function. */
export function call(args: Uint8Array[]): Reply {
  return new Command().args(args).call();
}

/** Runs the command args (name first); an error reply is returned. */
export function pcall(args: Uint8Array[]): Reply {
  return new Command().args(args).pcall();
}

/** Whether the calling user may run the command args (name first). */
export function aclCheckCmd(args: Uint8Array[]): bool {
  return new Command().args(args).aclCheck();
}

function formatNumber(f: f64): string {
  // Lua's and Redis's way for a number argument: 17 significant digits.
  if (f == Math.floor(f) && Math.abs(f) < 1e15) return (<i64>f).toString();
  return f.toString();
}

// Parses command replies (one at a time: a parse makes no host call).
const respReader = new RespReader();

// runCommand runs the command encoded at [p, p+len). The host writes the
// reply at the arena's free end, where it stays: the reply's bytes are
// views of it. A reply larger than what is free gets memory of its own.
function runCommand(raise: bool, p: usize, len: i32): Reply {
  arena.reserve(64);
  let buf = arena.buf;
  let at = arena.used;
  const free = buf.byteLength - at;
  const dst = changetype<usize>(buf) + at;
  const n = raise ? hostCall(p, len, dst, free) : hostPCall(p, len, dst, free);
  if (n <= free) {
    arena.used += n;
  } else {
    buf = new ArrayBuffer(n);
    at = 0;
    hostReplyRead(changetype<usize>(buf), n);
  }
  const r = respReader;
  r.reset(buf, at, at + n);
  const v = r.value();
  if (!r.ok) return Reply.error("ERR polyfn SDK: malformed reply from the host");
  return v;
}

// The ABI's exports, re-exported by the library's entry file
// (exports.ts).

let argsBuf = new ArrayBuffer(0);
const listReader = new ListReader();
const replyOut = new Writer(256);

export function _abiVersion(): i32 {
  return 1;
}

// The arguments buffer is reused: _call copies keys and args out of it.
export function _alloc(size: i32): usize {
  if (size > argsBuf.byteLength || (argsBuf.byteLength > 65536 && size <= 65536)) {
    argsBuf = new ArrayBuffer(size < 256 ? 256 : size);
  }
  return changetype<usize>(argsBuf);
}

export function _init(): void {
  for (let i = 0; i < registry.length; i++) {
    const r = registry[i];
    const name = String.UTF8.encode(r.name);
    const flags = String.UTF8.encode(r.flags.join(","));
    const desc = String.UTF8.encode(r.description);
    hostRegister(changetype<usize>(name), name.byteLength, changetype<usize>(flags), flags.byteLength, changetype<usize>(desc), desc.byteLength, i);
  }
}

export function _call(handle: i32, ptr: usize, len: i32): u64 {
  replyOut.reset();
  arena.shrink();
  if (handle < 0 || handle >= registry.length) {
    replyOut.reply(Reply.error("ERR polyfn SDK: no function with this handle"));
  } else {
    // Keys and args are views of a copy in the arena: the arguments
    // buffer is written again by the next call.
    const at = arena.take(len);
    memory.copy(changetype<usize>(arena.buf) + at, ptr, len);
    const rd = listReader;
    rd.reset(arena.buf, at, at + len);
    const keys = rd.list();
    const args = rd.list();
    replyOut.reply(registry[handle].fn(keys, args));
  }
  return (<u64>replyOut.ptr << 32) | <u64>replyOut.len;
}

// WASI's fd_write, for abort's message on stderr (the host adds its first
// line to the error reply).
@external("wasi_snapshot_preview1", "fd_write")
declare function fdWrite(fd: i32, iovs: usize, iovsLen: i32, nwritten: usize): i32;

/**
 * AssemblyScript's abort (a failed assertion, a throw, an index out of
 * range), installed with --use abort=...: the message goes to stderr and
 * the function ends with a trap, which the host turns into an error reply
 * (and a fresh instance for the next call).
 */
export function polyfnAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let s = "abort: " + (message ? message : "");
  if (fileName) s += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  s += "\n";
  const b = String.UTF8.encode(s);
  const iov = new StaticArray<u32>(3);
  iov[0] = <u32>changetype<usize>(b);
  iov[1] = b.byteLength;
  fdWrite(2, changetype<usize>(iov), 1, changetype<usize>(iov) + 8);
  unreachable();
}
