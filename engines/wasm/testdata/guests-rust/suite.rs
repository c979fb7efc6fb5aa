//! The wasm library of the engine conformance suite
//! (conformance/testdata/suite) written with the Rust SDK: the functions
//! of every case file, with the names and behaviour of
//! testdata/guests/suite (Go). Where Rust fails its own way (a panic's
//! text, a bad pointer) the case files hold its reply as a "wasm-rust=>"
//! expectation.

use polyfn::{call, pcall, register_function_with, Options, Reply, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, NO_WRITES};

fn fn_(name: &str, flags: &[&str], f: impl Fn(&[&[u8]], &[&[u8]]) -> Reply + 'static) {
    register_function_with(name, Options { flags, description: "" }, f)
}

fn kind(r: &Reply) -> &'static str {
    [
        "null", "status", "error", "integer", "bulk", "array", "map", "set", "double", "boolean", "bignumber", "verbatim",
    ][r.kind() as usize]
}

fn elems_len(r: &Reply) -> i64 {
    match r {
        Reply::Map(kv) => 2 * kv.len() as i64,
        other => other.elems().len() as i64,
    }
}

// WASI, for the sandbox cases (the SDK needs none of it).
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u16;
    fn random_get(buf: *mut u8, len: usize) -> u16;
    fn environ_sizes_get(count: *mut usize, size: *mut usize) -> u16;
    fn args_sizes_get(count: *mut usize, size: *mut usize) -> u16;
}

fn library() {
    // calls.txt
    fn_("set_get", &[], |keys, args| {
        call(&[b"SET", keys[0], args[0]]);
        call(&[b"GET", keys[0]])
    });
    fn_("call_any", &[], |_, args| call(args));
    fn_("pcall_any", &[], |_, args| pcall(args));
    fn_("pcall_type", &[], |_, args| match pcall(args) {
        Reply::Error(e) => {
            let mut s = b"caught: ".to_vec();
            s.extend_from_slice(&e);
            Reply::Bulk(s)
        }
        r => r,
    });
    fn_("select_db", &[], |keys, args| {
        call(&[b"SELECT", args[0]]);
        call(&[b"GET", keys[0]])
    });
    fn_("no_args", &[], |_, _| pcall(&[]));
    fn_("numbers", &[], |keys, _| {
        call(&[b"SET", keys[0], (1.0f64 / 3.0).to_string().as_bytes()]);
        call(&[b"SET", keys[1], 42.to_string().as_bytes()]);
        Reply::Array(vec![call(&[b"GET", keys[0]]), call(&[b"GET", keys[1]])])
    });
    fn_("counter", &[], |keys, args| {
        let mut n = Reply::Null;
        for _ in 0..polyfn::parse_int(args[0]).unwrap_or(0) {
            n = call(&[b"INCR", keys[0]]);
        }
        n
    });

    // errors.txt
    fn_("raise_string", &[], |_, _| panic!("something broke"));
    fn_("raise_table", &[], |_, _| Reply::error("MYCODE custom failure"));
    fn_("raise_from_call", &[], |keys, _| call(&[b"INCR", keys[0]]));
    fn_("catch_call", &[], |keys, _| match pcall(&[b"INCR", keys[0]]) {
        Reply::Error(e) => Reply::Array(vec![Reply::from("false"), Reply::Bulk(e)]),
        _ => Reply::Array(vec![Reply::from("true")]),
    });
    // Rust's wrong argument: bytes that are not in the guest's memory.
    fn_("bad_arg", &[], |_, _| {
        let outside = unsafe { std::slice::from_raw_parts(0xffff_fff0usize as *const u8, 64) };
        call(&[b"SET", b"k", outside])
    });
    // Rust's undefined name: a value that is not there.
    fn_("undefined_global", &[], |_, _| {
        let undefined_thing: Option<Reply> = std::env::var("undefined_thing").ok().map(Reply::from);
        undefined_thing.unwrap()
    });

    // flags.txt
    fn_("writer", &[], |keys, args| call(&[b"SET", keys[0], args[0]]));
    fn_("reader", &[NO_WRITES], |keys, _| call(&[b"GET", keys[0]]));
    fn_("sneaky", &[NO_WRITES], |keys, _| call(&[b"SET", keys[0], b"x"]));
    fn_("publisher", &[NO_WRITES], |_, _| call(&[b"PUBLISH", b"ch", b"m"]));
    fn_("oomok", &[ALLOW_OOM], |keys, _| call(&[b"SET", keys[0], b"y"]));
    register_function_with(
        "described",
        Options { flags: &[NO_WRITES, ALLOW_STALE, NO_CLUSTER], description: "a function with flags" },
        |_, _| Reply::Int(1),
    );

    // kill.txt
    fn_("spin", &[], |_, _| {
        let mut n = 0u64;
        loop {
            unsafe { std::ptr::write_volatile(&mut n, n + 1) };
        }
    });
    fn_("dirty_spin", &[], |keys, _| {
        call(&[b"SET", keys[0], b"written"]);
        let mut i = 0u64;
        while unsafe { std::ptr::read_volatile(&i) } < 200_000_000 {
            unsafe { std::ptr::write_volatile(&mut i, i + 1) };
        }
        Reply::from("done")
    });
    fn_("quick", &[NO_WRITES], |_, _| Reply::from("quick"));

    // replies.txt
    fn_("r_int", &[], |_, _| Reply::Int(42));
    fn_("r_float", &[], |_, _| Reply::Double(3.99));
    fn_("r_negfloat", &[], |_, _| Reply::Double(-3.99));
    fn_("r_string", &[], |_, _| Reply::from("hello"));
    fn_("r_empty", &[], |_, _| Reply::from(""));
    fn_("r_nil", &[], |_, _| Reply::Null);
    fn_("r_none", &[], |_, _| Reply::default());
    fn_("r_true", &[], |_, _| Reply::Bool(true));
    fn_("r_false", &[], |_, _| Reply::Bool(false));
    fn_("r_array", &[], |_, _| {
        Reply::Array(vec![
            Reply::Int(1),
            Reply::from("two"),
            Reply::Array(vec![Reply::Int(3), Reply::from("four")]),
            Reply::Array(vec![]),
        ])
    });
    fn_("r_holes", &[], |_, _| Reply::Array(vec![Reply::Int(1), Reply::Int(2), Reply::Null, Reply::Int(4)]));
    fn_("r_status", &[], |_, _| Reply::status("FINE"));
    fn_("r_status_reply", &[], |_, _| Reply::status("ALSO FINE"));
    fn_("r_error", &[], |_, _| Reply::error("MYERR something failed"));
    fn_("r_error_reply", &[], |_, _| Reply::error("MYERR via helper"));
    fn_("r_error_nocode", &[], |_, _| Reply::error("no code here"));
    fn_("r_double", &[], |_, _| Reply::Double(3.5));
    fn_("r_bignum", &[], |_, _| Reply::BigNumber(b"123456789012345678901234567890".to_vec()));
    fn_("r_map", &[], |_, _| Reply::Map(vec![(Reply::from("field"), Reply::from("value"))]));
    fn_("r_set", &[], |_, _| Reply::Set(vec![Reply::from("member")]));
    fn_("r_verbatim", &[], |_, _| Reply::verbatim("txt", "some text"));
    fn_("r_nested_status", &[], |_, _| Reply::Array(vec![Reply::status("in"), Reply::error("ERR inside")]));
    fn_("r3_true", &[], |_, _| {
        polyfn::set_resp(3);
        Reply::Bool(true)
    });
    fn_("r3_false", &[], |_, _| {
        polyfn::set_resp(3);
        Reply::Bool(false)
    });
    fn_("r3_nil", &[], |_, _| {
        polyfn::set_resp(3);
        Reply::Null
    });
    fn_("see2", &[], |keys, _| {
        let h = call(&[b"HGETALL", keys[0]]);
        let z = call(&[b"ZSCORE", keys[1], b"m"]);
        let missing = call(&[b"GET", b"nosuchkey"]);
        Reply::Array(vec![
            Reply::from(kind(&h)),
            Reply::Int(elems_len(&h)),
            Reply::from(kind(&z)),
            z,
            Reply::from(kind(&missing)),
            Reply::from(missing.as_bytes()),
        ])
    });
    fn_("see3", &[], |keys, _| {
        polyfn::set_resp(3);
        let h = call(&[b"HGETALL", keys[0]]);
        let z = call(&[b"ZSCORE", keys[1], b"m"]);
        let s = call(&[b"SMEMBERS", keys[2]]);
        let missing = call(&[b"GET", b"nosuchkey"]);
        let has = if s.elems().iter().any(|m| m.as_bytes() == b"one") { "has one" } else { "no" };
        let first = match h {
            Reply::Map(kv) => kv.into_iter().next().map(|(_, v)| v).unwrap_or_default(),
            _ => Reply::Null,
        };
        Reply::Array(vec![first, Reply::from(kind(&z)), z, Reply::from(has), Reply::from(kind(&missing))])
    });
    fn_("pass3", &[], |keys, _| {
        polyfn::set_resp(3);
        call(&[b"HGETALL", keys[0]])
    });
    fn_("bad_resp", &[], |_, _| {
        polyfn::set_resp(4);
        Reply::Null
    });

    // sandbox-wasm.txt: the guest gets clocks and random bytes only.
    fn_("read_file", &[], |_, _| match std::fs::read("/etc/passwd") {
        Ok(_) => Reply::from("read a file"),
        Err(_) => Reply::from("no file"),
    });
    // (std's env and args are unsupported on wasm32-unknown-unknown: ask WASI.)
    fn_("environment", &[], |_, _| {
        let (mut envc, mut argc, mut size) = (0usize, 0usize, 0usize);
        unsafe {
            environ_sizes_get(&mut envc, &mut size);
            args_sizes_get(&mut argc, &mut size);
        }
        Reply::Array(vec![Reply::Int(envc as i64), Reply::Int(argc as i64)])
    });
    fn_("dial", &[], |_, _| match std::net::TcpStream::connect("127.0.0.1:6379") {
        Ok(_) => Reply::from("connected"),
        Err(_) => Reply::from("no network"),
    });
    fn_("clock", &[], |_, _| {
        let mut ns = 0u64;
        unsafe { clock_time_get(0, 1, &mut ns) };
        Reply::Bool(ns / 1_000_000_000 >= 1_704_067_200) // 2024-01-01
    });
    fn_("random", &[], |_, _| {
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        unsafe {
            random_get(a.as_mut_ptr(), 16);
            random_get(b.as_mut_ptr(), 16);
        }
        Reply::Bool(a != b)
    });
}

polyfn::library!(library);
