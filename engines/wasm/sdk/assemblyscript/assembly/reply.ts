// Replies: what a function returns and what a command called from one
// answers, with RESP3's types. The host reads a function's reply as RESP
// and writes every command reply as RESP3 (ABI.md).

/** The type of a Reply. */
export enum Kind {
  Null,
  Status,
  Error,
  Int,
  Bulk,
  Array,
  Map,
  Set,
  Double,
  Bool,
  BigNumber,
  Verbatim,
}

const EMPTY = new Uint8Array(0);

/** UTF-8 bytes of a string. */
export function bytes(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

/** A string of UTF-8 bytes (invalid sequences become U+FFFD). */
export function str(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}

/**
 * A Redis reply. Build one with the static constructors (Reply.status,
 * Reply.error, Reply.int, Reply.bulk, Reply.text, Reply.nil, Reply.array,
 * Reply.map, Reply.set, Reply.double, Reply.bool, Reply.bigNumber,
 * Reply.verbatim); read one with its fields and methods. Each client
 * sees it in its own protocol (RESP2 gets maps and sets as arrays,
 * doubles as bulk strings, booleans as 1 or 0).
 */
export class Reply {
  kind: Kind = Kind.Null;
  // The text is [at, at+size) of src: for a command reply, the arena where
  // the host wrote it. Its Uint8Array view is made when data is first
  // asked for (most replies are only looked at or passed on).
  private src: ArrayBuffer = EMPTY.buffer;
  private at: i32 = 0;
  private size: i32 = 0;
  private view: Uint8Array | null = null;
  /** Integer and boolean (1 or 0) value. */
  num: i64 = 0;
  /** Double value. */
  dbl: f64 = 0;
  /** Verbatim format ("txt", "mkd"). */
  format: string = "";
  private _elems: Reply[] | null = null;

  /** Status, error, bulk, big number and verbatim text. */
  get data(): Uint8Array {
    const v = this.view;
    if (v !== null) return v;
    const made = this.size == 0 ? EMPTY : Uint8Array.wrap(this.src, this.at, this.size);
    this.view = made;
    return made;
  }
  set data(d: Uint8Array) {
    this.setText(d.buffer, d.byteOffset, d.length);
    this.view = d;
  }

  /** Sets the text to [at, at+size) of src, a buffer never written again. */
  setText(src: ArrayBuffer, at: i32, size: i32): void {
    this.src = src;
    this.at = at;
    this.size = size;
    this.view = null;
  }

  /** The address of the text's first byte. */
  get textPtr(): usize {
    return changetype<usize>(this.src) + <usize>this.at;
  }

  /** The text's length in bytes. */
  get textLen(): i32 {
    return this.size;
  }

  /**
   * Array and set elements; a map's keys and values alternately (an
   * empty array for other kinds, made when first asked for: most replies
   * never need one).
   */
  get elems(): Reply[] {
    let e = this._elems;
    if (e === null) {
      e = new Array<Reply>(0);
      this._elems = e;
    }
    return e;
  }
  set elems(e: Reply[]) {
    this._elems = e;
  }

  static status(s: string): Reply {
    const r = new Reply();
    r.kind = Kind.Status;
    r.data = bytes(s);
    return r;
  }
  /** An error reply; msg is its whole text, code first ("ERR something"). */
  static error(msg: string): Reply {
    const r = new Reply();
    r.kind = Kind.Error;
    r.data = bytes(msg);
    return r;
  }
  static int(n: i64): Reply {
    const r = new Reply();
    r.kind = Kind.Int;
    r.num = n;
    return r;
  }
  /** A bulk string of any bytes. */
  static bulk(b: Uint8Array): Reply {
    const r = new Reply();
    r.kind = Kind.Bulk;
    r.data = b;
    return r;
  }
  /** A bulk string of a string's UTF-8 bytes. */
  static text(s: string): Reply {
    return Reply.bulk(bytes(s));
  }
  /** The null reply. */
  static nil(): Reply {
    return new Reply();
  }
  static array(elems: Reply[]): Reply {
    const r = new Reply();
    r.kind = Kind.Array;
    r.elems = elems;
    return r;
  }
  /** A map of keys and values alternately. */
  static map(kv: Reply[]): Reply {
    const r = Reply.array(kv);
    r.kind = Kind.Map;
    return r;
  }
  static set(elems: Reply[]): Reply {
    const r = Reply.array(elems);
    r.kind = Kind.Set;
    return r;
  }
  static double(f: f64): Reply {
    const r = new Reply();
    r.kind = Kind.Double;
    r.dbl = f;
    return r;
  }
  static bool(b: bool): Reply {
    const r = new Reply();
    r.kind = Kind.Bool;
    r.num = b ? 1 : 0;
    return r;
  }
  /** A big number of decimal digits. */
  static bigNumber(digits: string): Reply {
    const r = new Reply();
    r.kind = Kind.BigNumber;
    r.data = bytes(digits);
    return r;
  }
  /** A verbatim string; format is three letters ("txt", "mkd"). */
  static verbatim(format: string, text: string): Reply {
    const r = new Reply();
    r.kind = Kind.Verbatim;
    r.format = format;
    r.data = bytes(text);
    return r;
  }

  isNull(): bool {
    return this.kind == Kind.Null;
  }
  isError(): bool {
    return this.kind == Kind.Error;
  }
  /**
   * The reply as a string: the text of a status, error, bulk, big number
   * or verbatim reply; a number's decimal form; "true"/"false".
   */
  text(): string {
    switch (this.kind) {
      case Kind.Int:
        return this.num.toString();
      case Kind.Double:
        return formatDouble(this.dbl);
      case Kind.Bool:
        return this.num != 0 ? "true" : "false";
    }
    return String.UTF8.decodeUnsafe(this.textPtr, this.textLen);
  }
  /** An integer's value, or the integer a bulk or status string holds (0 if none). */
  int(): i64 {
    if (this.kind == Kind.Bulk || this.kind == Kind.Status) {
      return parseDigits(this.textPtr, this.textLen);
    }
    return this.num;
  }
}

/** Parses a decimal integer (0 when the bytes are not one). */
export function parseInteger(b: Uint8Array): i64 {
  return parseDigits(b.dataStart, b.length);
}

function parseDigits(p: usize, n: i32): i64 {
  let v: i64 = 0;
  let i = 0;
  let neg = false;
  if (n > 0 && load<u8>(p) == 45) {
    neg = true;
    i = 1;
  }
  if (i == n) return 0;
  for (; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c < 48 || c > 57) return 0;
    v = v * 10 + (c - 48);
  }
  return neg ? -v : v;
}

/** A double as Redis writes it: inf, -inf, nan, or the shortest form. */
export function formatDouble(f: f64): string {
  if (isNaN(f)) return "nan";
  if (f == Infinity) return "inf";
  if (f == -Infinity) return "-inf";
  let s = f.toString();
  if (s.endsWith(".0")) s = s.slice(0, s.length - 2);
  return s;
}
