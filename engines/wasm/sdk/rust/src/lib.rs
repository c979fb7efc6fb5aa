//! The Rust guest SDK for polyfn's WebAssembly engine: the guest side of
//! polyfn ABI 1 (engines/wasm/ABI.md), so that a library is ordinary Rust.
//!
//! ```ignore
//! use polyfn::{call, register_function, Reply};
//!
//! fn library() {
//!     register_function("get", |keys, _args| call(&[b"GET", keys[0]]));
//! }
//!
//! polyfn::library!(library);
//! ```
//!
//! Build the library as a `cdylib` for `wasm32-unknown-unknown` (Rust
//! 1.63 or later; no dependencies besides `std`) and load the `.wasm`
//! with FUNCTION LOAD `"#!wasm name=mylib\n"` + the bytes. README.md has
//! the exact commands.
//!
//! A panic ends the call with an error reply that carries its message
//! (`... (stderr: panic: <message>) ...`); the server throws the instance
//! away and makes a fresh one (running the registration again) for the
//! next call.

use std::fmt;

/// The kinds of replies: RESP3's types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
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

/// A Redis reply: what a function returns, and what a command called
/// from one answers. Text is bytes (any byte value crosses unchanged).
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Null,
    /// A simple string (`+OK`).
    Status(Vec<u8>),
    /// An error; the whole text, code first (`ERR something`).
    Error(Vec<u8>),
    Int(i64),
    Bulk(Vec<u8>),
    Array(Vec<Reply>),
    /// Key-value pairs (a flat array for RESP2 clients).
    Map(Vec<(Reply, Reply)>),
    /// A set (an array for RESP2 clients).
    Set(Vec<Reply>),
    /// A double (a bulk string for RESP2 clients).
    Double(f64),
    /// A boolean (the integer 1 or 0 for RESP2 clients).
    Bool(bool),
    /// Decimal digits (a bulk string for RESP2 clients).
    BigNumber(Vec<u8>),
    /// A verbatim string: a three-letter format ("txt") and the text.
    Verbatim([u8; 3], Vec<u8>),
}

impl Default for Reply {
    fn default() -> Reply {
        Reply::Null
    }
}

impl Reply {
    /// A simple string reply.
    pub fn status(s: impl Into<Vec<u8>>) -> Reply {
        Reply::Status(s.into())
    }
    /// An error reply; `msg` is its whole text, code first.
    pub fn error(msg: impl Into<Vec<u8>>) -> Reply {
        Reply::Error(msg.into())
    }
    /// A bulk string reply of any bytes (or a `&str`).
    pub fn bulk(b: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(b.into())
    }
    /// A verbatim string reply; format is three letters ("txt", "mkd").
    pub fn verbatim(format: &str, text: impl Into<Vec<u8>>) -> Reply {
        let mut f = [b' '; 3];
        for (d, s) in f.iter_mut().zip(format.bytes()) {
            *d = s;
        }
        Reply::Verbatim(f, text.into())
    }

    /// The reply's type.
    pub fn kind(&self) -> Kind {
        match self {
            Reply::Null => Kind::Null,
            Reply::Status(_) => Kind::Status,
            Reply::Error(_) => Kind::Error,
            Reply::Int(_) => Kind::Int,
            Reply::Bulk(_) => Kind::Bulk,
            Reply::Array(_) => Kind::Array,
            Reply::Map(_) => Kind::Map,
            Reply::Set(_) => Kind::Set,
            Reply::Double(_) => Kind::Double,
            Reply::Bool(_) => Kind::Bool,
            Reply::BigNumber(_) => Kind::BigNumber,
            Reply::Verbatim(..) => Kind::Verbatim,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Reply::Null)
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
    /// The text of a status, error, bulk, big number or verbatim reply
    /// (empty for the others).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Reply::Status(b) | Reply::Error(b) | Reply::Bulk(b) | Reply::BigNumber(b) | Reply::Verbatim(_, b) => b,
            _ => &[],
        }
    }
    /// An integer or boolean's value; a bulk or status string's number
    /// (0 when it holds none); a double's integer part.
    pub fn as_int(&self) -> i64 {
        match self {
            Reply::Int(n) => *n,
            Reply::Bool(b) => *b as i64,
            Reply::Double(f) => *f as i64,
            Reply::Bulk(b) | Reply::Status(b) => parse_int(b).unwrap_or(0),
            _ => 0,
        }
    }
    /// A double's value; for other kinds the number they hold.
    pub fn as_f64(&self) -> f64 {
        match self {
            Reply::Double(f) => *f,
            Reply::Int(n) => *n as f64,
            Reply::Bool(b) => *b as i64 as f64,
            _ => std::str::from_utf8(self.as_bytes()).ok().and_then(|s| s.parse().ok()).unwrap_or(0.0),
        }
    }
    /// An array's or set's elements (empty for the others; see Map).
    pub fn elems(&self) -> &[Reply] {
        match self {
            Reply::Array(v) | Reply::Set(v) => v,
            _ => &[],
        }
    }
}

/// The text of the reply: its bytes (lossily as UTF-8), or the number.
impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Reply::Int(n) => write!(f, "{}", n),
            Reply::Double(d) => f.write_str(&format_double(*d)),
            Reply::Bool(b) => write!(f, "{}", b),
            _ => f.write_str(&String::from_utf8_lossy(self.as_bytes())),
        }
    }
}

impl From<i64> for Reply {
    fn from(n: i64) -> Reply {
        Reply::Int(n)
    }
}
impl From<bool> for Reply {
    fn from(b: bool) -> Reply {
        Reply::Bool(b)
    }
}
impl From<f64> for Reply {
    fn from(f: f64) -> Reply {
        Reply::Double(f)
    }
}
impl From<&str> for Reply {
    fn from(s: &str) -> Reply {
        Reply::Bulk(s.into())
    }
}
impl From<String> for Reply {
    fn from(s: String) -> Reply {
        Reply::Bulk(s.into())
    }
}
impl From<&[u8]> for Reply {
    fn from(b: &[u8]) -> Reply {
        Reply::Bulk(b.into())
    }
}
impl From<Vec<u8>> for Reply {
    fn from(b: Vec<u8>) -> Reply {
        Reply::Bulk(b)
    }
}
impl From<Vec<Reply>> for Reply {
    fn from(v: Vec<Reply>) -> Reply {
        Reply::Array(v)
    }
}
impl<T: Into<Reply>> From<Option<T>> for Reply {
    fn from(o: Option<T>) -> Reply {
        o.map_or(Reply::Null, Into::into)
    }
}

/// Parses a decimal integer as Redis accepts them.
pub fn parse_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() || s.starts_with('+') || s == "-0" || (s.len() > 1 && s.starts_with('0')) || s.starts_with("-0") {
        return None;
    }
    s.parse().ok()
}

/// Function flags, as Redis names them.
pub const NO_WRITES: &str = "no-writes";
pub const ALLOW_OOM: &str = "allow-oom";
pub const ALLOW_STALE: &str = "allow-stale";
pub const NO_CLUSTER: &str = "no-cluster";
pub const ALLOW_CROSS_SLOT_KEYS: &str = "allow-cross-slot-keys";

/// A function's optional registration details.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    pub flags: &'a [&'a str],
    pub description: &'a str,
}

type Func = Box<dyn Fn(&[&[u8]], &[&[u8]]) -> Reply>;

/// A global of the guest. The guest is single-threaded and these are only
/// touched from the ABI's exports and the functions they run, each global
/// by one of them at a time (never re-entered).
struct Global<T>(std::cell::UnsafeCell<T>);

unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    const fn new(v: T) -> Global<T> {
        Global(std::cell::UnsafeCell::new(v))
    }
    #[allow(clippy::mut_from_ref)]
    fn get(&self) -> &mut T {
        unsafe { &mut *self.0.get() }
    }
}

static REGISTRY: Global<Vec<Func>> = Global::new(Vec::new());
static ARGS: Global<Vec<u8>> = Global::new(Vec::new()); // polyfn_alloc: the next call's keys and args
static REPLY: Global<Vec<u8>> = Global::new(Vec::new()); // polyfn_call's reply
static CMD: Global<Vec<u8>> = Global::new(Vec::new()); // a command's encoded arguments
static CMD_REPLY: Global<Vec<u8>> = Global::new(Vec::new()); // a command's reply

/// Registers `f` as the library function `name`. Call it from the
/// function given to [`library!`]; the server validates names and flags
/// when the library loads (FUNCTION LOAD fails with Redis's error).
pub fn register_function(name: &str, f: impl Fn(&[&[u8]], &[&[u8]]) -> Reply + 'static) {
    register_function_with(name, Options::default(), f)
}

/// As [`register_function`], with flags and a description.
pub fn register_function_with(name: &str, opts: Options, f: impl Fn(&[&[u8]], &[&[u8]]) -> Reply + 'static) {
    let flags = opts.flags.join(",");
    let handle = REGISTRY.get().len() as u32;
    // The host first: it traps on a bad name or flag, or outside polyfn_init.
    unsafe {
        host::register_function(
            name.as_ptr(),
            name.len(),
            flags.as_ptr(),
            flags.len(),
            opts.description.as_ptr(),
            opts.description.len(),
            handle,
        );
    }
    REGISTRY.get().push(Box::new(f));
}

/// Runs a Redis command (the first item is its name) and returns its
/// reply. An error reply aborts the function and becomes its reply, as
/// redis.call in Lua; use [`pcall`] to handle errors.
pub fn call(args: &[&[u8]]) -> Reply {
    command(true, args)
}

/// Runs a Redis command and returns its reply, an error reply included.
pub fn pcall(args: &[&[u8]]) -> Reply {
    command(false, args)
}

fn encode(args: &[&[u8]]) -> &'static [u8] {
    let cmd = CMD.get();
    cmd.clear();
    append_list(cmd, args);
    cmd
}

fn command(raise: bool, args: &[&[u8]]) -> Reply {
    let cmd = encode(args);
    let buf = CMD_REPLY.get();
    if buf.len() < 16384 {
        buf.resize(16384, 0);
    }
    let f = if raise { host::call } else { host::pcall };
    let n = unsafe { f(cmd.as_ptr(), cmd.len(), buf.as_mut_ptr(), buf.len()) } as usize;
    if n > buf.len() {
        buf.resize(n, 0);
        unsafe { host::reply_read(buf.as_mut_ptr(), n) };
    }
    match parse_resp(&buf[..n]) {
        Some((r, _)) => r,
        None => Reply::error("ERR polyfn SDK: malformed reply from the host"),
    }
}

/// Whether the calling user may run the command; an unknown command
/// aborts the function.
pub fn acl_check(args: &[&[u8]]) -> bool {
    let cmd = encode(args);
    unsafe { host::acl_check(cmd.as_ptr(), cmd.len()) == 1 }
}

/// Log levels for [`log`].
pub const LOG_DEBUG: i32 = 0;
pub const LOG_VERBOSE: i32 = 1;
pub const LOG_NOTICE: i32 = 2;
pub const LOG_WARNING: i32 = 3;

/// Writes `msg` to the server log at `level` (LOG_DEBUG..LOG_WARNING).
pub fn log(level: i32, msg: impl AsRef<[u8]>) {
    let m = msg.as_ref();
    unsafe { host::log(level, m.as_ptr(), m.len()) }
}

/// Chooses the RESP version (2 or 3) of the replies [`call`] returns;
/// any other version aborts the function with Redis's error.
pub fn set_resp(version: i32) {
    unsafe { host::setresp(version) }
}

/// Replication targets for [`set_repl`], as redis.REPL_*.
pub const REPL_NONE: i32 = 0;
pub const REPL_AOF: i32 = 1;
pub const REPL_REPLICA: i32 = 2;
pub const REPL_ALL: i32 = 3;

/// Sets where the function's effects are propagated.
pub fn set_repl(flags: i32) {
    unsafe { host::set_repl(flags) }
}

/// Defines the library's exports (polyfn ABI 1) around `$register`, a
/// `fn()` that registers the library's functions. It runs when the
/// library loads, and again whenever the server makes a fresh instance
/// (after a panic, a trap or a kill), and must register the same
/// functions in the same order each time.
#[macro_export]
macro_rules! library {
    ($register:path) => {
        #[no_mangle]
        pub extern "C" fn polyfn_abi_version() -> i32 {
            1
        }
        #[no_mangle]
        pub extern "C" fn polyfn_init() {
            $crate::__init($register)
        }
        #[no_mangle]
        pub extern "C" fn polyfn_alloc(n: u32) -> *mut u8 {
            $crate::__alloc(n)
        }
        // ARGS stays valid until the next polyfn_alloc (ABI.md): the host
        // writes later calls' keys and args there while they fit.
        #[no_mangle]
        pub extern "C" fn polyfn_alloc_keep() {}
        #[no_mangle]
        pub extern "C" fn polyfn_call(h: u32, p: *const u8, n: u32) -> u64 {
            $crate::__call(h, p, n)
        }
    };
}

#[doc(hidden)]
pub fn __init(register: fn()) {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.as_str()
        } else {
            "non-string panic value"
        };
        let line = format!("panic: {}\n", msg);
        host::stderr(line.as_bytes());
    }));
    REGISTRY.get().clear();
    register();
}

#[doc(hidden)]
pub fn __alloc(n: u32) -> *mut u8 {
    let args = ARGS.get();
    args.clear();
    args.resize(n as usize, 0);
    args.as_mut_ptr()
}

#[doc(hidden)]
pub fn __call(h: u32, p: *const u8, n: u32) -> u64 {
    let input = ARGS.get();
    let reply = if p != input.as_ptr() || n as usize > input.len() {
        Reply::error("ERR polyfn SDK: arguments not in polyfn_alloc's memory")
    } else if let Some(f) = REGISTRY.get().get(h as usize) {
        let (keys, rest) = read_list(&input[..n as usize]);
        let (args, _) = read_list(rest);
        f(&keys, &args)
    } else {
        Reply::error("ERR polyfn SDK: no function with this handle")
    };
    let out = REPLY.get();
    out.clear();
    write_resp(out, &reply);
    (out.as_ptr() as u64) << 32 | out.len() as u64
}

fn append_list(buf: &mut Vec<u8>, items: &[&[u8]]) {
    buf.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for b in items {
        buf.extend_from_slice(&(b.len() as u32).to_le_bytes());
        buf.extend_from_slice(b);
    }
}

fn read_u32(b: &[u8]) -> Option<(usize, &[u8])> {
    if b.len() < 4 {
        return None;
    }
    Some((u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, &b[4..]))
}

fn read_list(b: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut out = Vec::new();
    let (n, mut b) = match read_u32(b) {
        Some(v) => v,
        None => return (out, &[]),
    };
    for _ in 0..n {
        match read_u32(b) {
            Some((l, rest)) if l <= rest.len() => {
                out.push(&rest[..l]);
                b = &rest[l..];
            }
            _ => return (out, &[]),
        }
    }
    (out, b)
}

fn format_double(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else if f != 0.0 && (f.abs() >= 1e16 || f.abs() < 1e-4) {
        format!("{:e}", f)
    } else {
        format!("{}", f)
    }
}

fn line(buf: &mut Vec<u8>, prefix: u8, s: &[u8]) {
    buf.push(prefix);
    // A status or error is one line.
    buf.extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
    buf.extend_from_slice(b"\r\n");
}

fn head(buf: &mut Vec<u8>, prefix: u8, n: usize) {
    line(buf, prefix, n.to_string().as_bytes());
}

/// Appends r as RESP3.
fn write_resp(buf: &mut Vec<u8>, r: &Reply) {
    match r {
        Reply::Null => buf.extend_from_slice(b"_\r\n"),
        Reply::Status(s) => line(buf, b'+', s),
        Reply::Error(s) => line(buf, b'-', s),
        Reply::Int(n) => line(buf, b':', n.to_string().as_bytes()),
        Reply::Bulk(b) => {
            head(buf, b'$', b.len());
            buf.extend_from_slice(b);
            buf.extend_from_slice(b"\r\n");
        }
        Reply::Array(v) | Reply::Set(v) => {
            head(buf, if matches!(r, Reply::Set(_)) { b'~' } else { b'*' }, v.len());
            for e in v {
                write_resp(buf, e);
            }
        }
        Reply::Map(kv) => {
            head(buf, b'%', kv.len());
            for (k, v) in kv {
                write_resp(buf, k);
                write_resp(buf, v);
            }
        }
        Reply::Double(f) => line(buf, b',', format_double(*f).as_bytes()),
        Reply::Bool(b) => buf.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::BigNumber(s) => line(buf, b'(', s),
        Reply::Verbatim(f, s) => {
            head(buf, b'=', s.len() + 4);
            buf.extend_from_slice(f);
            buf.push(b':');
            buf.extend_from_slice(s);
            buf.extend_from_slice(b"\r\n");
        }
    }
}

/// Reads one RESP3 value (as the host writes them) from b.
fn parse_resp(b: &[u8]) -> Option<(Reply, &[u8])> {
    let eol = b.windows(2).position(|w| w == b"\r\n")?;
    if eol == 0 {
        return None;
    }
    let (prefix, hd, rest) = (b[0], &b[1..eol], &b[eol + 2..]);
    let num = || std::str::from_utf8(hd).ok()?.parse::<i64>().ok();
    Some(match prefix {
        b'+' => (Reply::Status(hd.to_vec()), rest),
        b'-' => (Reply::Error(hd.to_vec()), rest),
        b'(' => (Reply::BigNumber(hd.to_vec()), rest),
        b':' => (Reply::Int(num()?), rest),
        b',' => (Reply::Double(std::str::from_utf8(hd).ok()?.parse().ok()?), rest),
        b'#' => (Reply::Bool(hd == b"t"), rest),
        b'_' => (Reply::Null, rest),
        b'$' | b'=' => {
            let n = usize::try_from(num()?).ok()?;
            if n + 2 > rest.len() {
                return None;
            }
            let data = &rest[..n];
            let r = if prefix == b'=' && n >= 4 {
                Reply::Verbatim([data[0], data[1], data[2]], data[4..].to_vec())
            } else {
                Reply::Bulk(data.to_vec())
            };
            (r, &rest[n + 2..])
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n = usize::try_from(num()?).ok()?;
            if n > rest.len() {
                return None;
            }
            let mut rest = rest;
            if prefix == b'%' {
                let mut kv = Vec::with_capacity(n);
                for _ in 0..n {
                    let (k, r) = parse_resp(rest)?;
                    let (v, r) = parse_resp(r)?;
                    kv.push((k, v));
                    rest = r;
                }
                return Some((Reply::Map(kv), rest));
            }
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let (e, r) = parse_resp(rest)?;
                v.push(e);
                rest = r;
            }
            (if prefix == b'~' { Reply::Set(v) } else { Reply::Array(v) }, rest)
        }
        _ => return None,
    })
}

/// The host imports (module "polyfn", and WASI's fd_write for a panic's
/// message). Outside wasm32 there is no host: stand-ins let the crate
/// build (and its encodings be tested) anywhere.
#[cfg(target_arch = "wasm32")]
mod host {
    #[link(wasm_import_module = "polyfn")]
    extern "C" {
        pub fn register_function(n: *const u8, nl: usize, f: *const u8, fl: usize, d: *const u8, dl: usize, h: u32);
        pub fn call(args: *const u8, len: usize, buf: *mut u8, cap: usize) -> u32;
        pub fn pcall(args: *const u8, len: usize, buf: *mut u8, cap: usize) -> u32;
        pub fn reply_read(buf: *mut u8, cap: usize) -> u32;
        pub fn log(level: i32, msg: *const u8, len: usize);
        pub fn setresp(version: i32);
        pub fn set_repl(flags: i32);
        pub fn acl_check(args: *const u8, len: usize) -> u32;
    }
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn fd_write(fd: u32, iovs: *const [usize; 2], n: usize, written: *mut usize) -> u16;
    }
    pub fn stderr(b: &[u8]) {
        let iov = [b.as_ptr() as usize, b.len()];
        let mut written = 0;
        unsafe { fd_write(2, &iov, 1, &mut written) };
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc)]
mod host {
    const NO_HOST: &str = "polyfn: host functions are only available in a wasm32 guest";
    pub unsafe fn register_function(_: *const u8, _: usize, _: *const u8, _: usize, _: *const u8, _: usize, _: u32) {}
    pub unsafe fn call(_: *const u8, _: usize, _: *mut u8, _: usize) -> u32 {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn pcall(_: *const u8, _: usize, _: *mut u8, _: usize) -> u32 {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn reply_read(_: *mut u8, _: usize) -> u32 {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn log(_: i32, _: *const u8, _: usize) {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn setresp(_: i32) {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn set_repl(_: i32) {
        panic!("{}", NO_HOST)
    }
    pub unsafe fn acl_check(_: *const u8, _: usize) -> u32 {
        panic!("{}", NO_HOST)
    }
    pub fn stderr(_: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_round_trip() {
        let r = Reply::Array(vec![
            Reply::status("OK"),
            Reply::error("ERR x"),
            Reply::Int(-7),
            Reply::bulk(&[0u8, 255, b'\r', b'\n'][..]),
            Reply::Map(vec![(Reply::from("k"), Reply::Double(1.5))]),
            Reply::Set(vec![Reply::Bool(true), Reply::Null]),
            Reply::BigNumber(b"123".to_vec()),
            Reply::verbatim("txt", "hi"),
        ]);
        let mut buf = Vec::new();
        write_resp(&mut buf, &r);
        let (back, rest) = parse_resp(&buf).unwrap();
        assert_eq!(back, r);
        assert!(rest.is_empty());
    }

    #[test]
    fn lists() {
        let mut buf = Vec::new();
        append_list(&mut buf, &[b"a", b"", &[0, 1, 2]]);
        append_list(&mut buf, &[b"z"]);
        let (keys, rest) = read_list(&buf);
        let (args, _) = read_list(rest);
        assert_eq!(keys, vec![&b"a"[..], &b""[..], &[0u8, 1, 2][..]]);
        assert_eq!(args, vec![&b"z"[..]]);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_int(b"-42"), Some(-42));
        assert_eq!(parse_int(b"007"), None);
        assert_eq!(format_double(3.99), "3.99");
        assert_eq!(format_double(1e300), "1e300");
        assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
    }
}
