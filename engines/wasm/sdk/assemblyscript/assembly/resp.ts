// The bytes that cross the boundary (ABI.md): length-prefixed lists of
// byte strings (keys, args, command arguments) and RESP replies.
import { Kind, Reply, bytes, formatDouble } from "./reply";

/** A growable byte buffer, reused from call to call. */
export class Writer {
  buf: ArrayBuffer;
  len: i32 = 0;

  constructor(cap: i32) {
    this.buf = new ArrayBuffer(cap);
  }

  reset(): void {
    this.len = 0;
  }

  @inline get ptr(): usize {
    return changetype<usize>(this.buf);
  }

  @inline grow(n: i32): void {
    if (this.len + n > this.buf.byteLength) this.enlarge(n);
  }

  private enlarge(n: i32): void {
    const need = this.len + n;
    let cap = this.buf.byteLength * 2;
    if (cap < need) cap = need;
    const nb = new ArrayBuffer(cap);
    memory.copy(changetype<usize>(nb), changetype<usize>(this.buf), this.len);
    this.buf = nb;
  }

  byte(b: u8): void {
    this.grow(1);
    store<u8>(this.ptr + this.len, b);
    this.len++;
  }

  raw(p: usize, n: i32): void {
    this.grow(n);
    memory.copy(this.ptr + this.len, p, n);
    this.len += n;
  }

  bytes(b: Uint8Array): void {
    this.raw(b.dataStart, b.length);
  }

  /** ASCII text (digits, RESP prefixes). */
  ascii(s: string): void {
    this.grow(s.length);
    for (let i = 0; i < s.length; i++) {
      store<u8>(this.ptr + this.len + i, <u8>s.charCodeAt(i));
    }
    this.len += s.length;
  }

  /** n in decimal, written in place (no string made). */
  decimal(n: i64): void {
    this.grow(20);
    let u: u64 = <u64>n;
    if (n < 0) {
      store<u8>(this.ptr + this.len, 45); // -
      this.len++;
      u = 0 - u;
    }
    let digits = 1;
    for (let t = u; t >= 10; t /= 10) digits++;
    const end = this.ptr + this.len + digits;
    for (let i = 1; i <= digits; i++) {
      store<u8>(end - i, <u8>(48 + u % 10));
      u /= 10;
    }
    this.len += digits;
  }

  crlf(): void {
    this.grow(2);
    store<u16>(this.ptr + this.len, 0x0a0d);
    this.len += 2;
  }

  /** r as RESP3. */
  reply(r: Reply): void {
    switch (r.kind) {
      case Kind.Status:
        this.line(43, r); // +
        return;
      case Kind.Error:
        this.line(45, r); // -
        return;
      case Kind.Int:
        this.byte(58); // :
        this.decimal(r.num);
        this.crlf();
        return;
      case Kind.Bulk:
        this.head(36, r.textLen); // $
        this.raw(r.textPtr, r.textLen);
        this.crlf();
        return;
      case Kind.Array:
      case Kind.Set:
      case Kind.Map: {
        let prefix: u8 = 42; // *
        let n = r.elems.length;
        if (r.kind == Kind.Set) prefix = 126; // ~
        if (r.kind == Kind.Map) {
          prefix = 37; // %
          n = n / 2;
        }
        this.head(prefix, n);
        for (let i = 0; i < r.elems.length; i++) this.reply(r.elems[i]);
        return;
      }
      case Kind.Double:
        this.byte(44); // ,
        this.ascii(formatDouble(r.dbl));
        this.crlf();
        return;
      case Kind.Bool:
        this.byte(35); // #
        this.byte(r.num != 0 ? 116 : 102);
        this.crlf();
        return;
      case Kind.BigNumber:
        this.line(40, r); // (
        return;
      case Kind.Verbatim: {
        const f = bytes(r.format);
        this.head(61, f.length + 1 + r.textLen); // =
        this.bytes(f);
        this.byte(58);
        this.raw(r.textPtr, r.textLen);
        this.crlf();
        return;
      }
    }
    this.byte(95); // _
    this.crlf();
  }

  private line(prefix: u8, r: Reply): void {
    this.byte(prefix);
    this.raw(r.textPtr, r.textLen);
    this.crlf();
  }

  private head(prefix: u8, n: i32): void {
    this.byte(prefix);
    this.decimal(n);
    this.crlf();
  }
}

const NO_BUF = new ArrayBuffer(0);

/**
 * Reads [from, to) of a buffer that is never written again (the arena):
 * the byte strings it reads stay where they are, as views of it.
 */
class BufReader {
  /** False once the bytes were found malformed. */
  ok: bool = true;
  protected buf: ArrayBuffer = NO_BUF;
  protected p: usize = 0;
  protected end: usize = 0;

  /** Starts over on [from, to) of buf. */
  reset(buf: ArrayBuffer, from: i32, to: i32): void {
    this.buf = buf;
    this.p = changetype<usize>(buf) + from;
    this.end = changetype<usize>(buf) + to;
    this.ok = true;
  }

  /** The offset in buf of address p. */
  protected offset(p: usize): i32 {
    return <i32>(p - changetype<usize>(this.buf));
  }
}

// Most functions take no keys, or no arguments: an empty list is one
// array, made again only if a function added to it.
let empty = new Array<Uint8Array>(0);

function emptyList(): Uint8Array[] {
  if (empty.length != 0) empty = new Array<Uint8Array>(0);
  return empty;
}

/** Reads length-prefixed lists (keys, args). */
export class ListReader extends BufReader {
  /** The next list. */
  list(): Uint8Array[] {
    if (this.p + 4 > this.end) return emptyList();
    const n = load<u32>(this.p);
    this.p += 4;
    if (n == 0) return emptyList();
    // At most one item per 4 bytes left (a malformed count cannot make a
    // huge array).
    const most = <u32>((this.end - this.p) / 4);
    const out = new Array<Uint8Array>(<i32>(n < most ? n : most));
    let i = 0;
    for (; i < out.length; i++) {
      if (this.p + 4 > this.end) break;
      const l = load<u32>(this.p);
      this.p += 4;
      if (<u64>this.p + <u64>l > <u64>this.end) break;
      out[i] = Uint8Array.wrap(this.buf, this.offset(this.p), l);
      this.p += l;
    }
    if (i < out.length) out.length = i;
    return out;
  }
}

/** Parses one RESP3 value (as the host writes them). */
export class RespReader extends BufReader {
  /** Sets r's text to the bytes at address [from, to), where they are. */
  private text(r: Reply, from: usize, to: usize): void {
    r.setText(this.buf, this.offset(from), <i32>(to - from));
  }

  private lineEnd(): usize {
    let q = this.p;
    while (q + 1 < this.end && load<u8>(q) != 13) q++;
    if (q + 1 >= this.end) {
      this.ok = false;
      return this.end;
    }
    return q;
  }

  private num(from: usize, to: usize): i64 {
    let neg = false;
    let n: i64 = 0;
    if (from < to && load<u8>(from) == 45) {
      neg = true;
      from++;
    }
    for (let q = from; q < to; q++) n = n * 10 + (load<u8>(q) - 48);
    return neg ? -n : n;
  }

  value(): Reply {
    const r = new Reply();
    if (this.p >= this.end) {
      this.ok = false;
      return r;
    }
    const prefix = load<u8>(this.p);
    const start = this.p + 1;
    const e = this.lineEnd();
    if (!this.ok) return r;
    this.p = e + 2;
    switch (prefix) {
      case 43: // +
        r.kind = Kind.Status;
        this.text(r, start, e);
        break;
      case 45: // -
        r.kind = Kind.Error;
        this.text(r, start, e);
        break;
      case 40: // (
        r.kind = Kind.BigNumber;
        this.text(r, start, e);
        break;
      case 58: // :
        r.kind = Kind.Int;
        r.num = this.num(start, e);
        break;
      case 44: // ,
        r.kind = Kind.Double;
        r.dbl = parseDouble(String.UTF8.decodeUnsafe(start, e - start));
        break;
      case 35: // #
        r.kind = Kind.Bool;
        r.num = load<u8>(start) == 116 ? 1 : 0;
        break;
      case 95: // _
        break;
      case 36: // $
      case 61: {
        // =
        const n = <usize>this.num(start, e);
        if (this.p + n + 2 > this.end) {
          this.ok = false;
          return r;
        }
        if (prefix == 61 && n >= 4) {
          r.kind = Kind.Verbatim;
          r.format = String.UTF8.decodeUnsafe(this.p, 3);
          this.text(r, this.p + 4, this.p + n);
        } else {
          r.kind = Kind.Bulk;
          this.text(r, this.p, this.p + n);
        }
        this.p += n + 2;
        break;
      }
      case 42: // *
      case 126: // ~
      case 37: // %
      case 62: {
        // >
        let n = <i32>this.num(start, e);
        r.kind = prefix == 126 ? Kind.Set : prefix == 37 ? Kind.Map : Kind.Array;
        if (prefix == 37) n *= 2;
        const elems = new Array<Reply>(0);
        for (let i = 0; i < n && this.ok; i++) elems.push(this.value());
        r.elems = elems;
        break;
      }
      default:
        this.ok = false;
    }
    return r;
  }
}

function parseDouble(s: string): f64 {
  if (s == "inf") return Infinity;
  if (s == "-inf") return -Infinity;
  if (s == "nan") return NaN;
  return parseFloat(s);
}
