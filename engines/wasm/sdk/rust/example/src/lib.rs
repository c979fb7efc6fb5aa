//! A polyfn library in Rust: the functions of the Go SDK's example
//! (engines/wasm/sdk/go/example) and of the C SDK's, which show the rest
//! of the SDK. Build it with engines/wasm/testdata/build.sh or the
//! commands in ../README.md, and load the .wasm with FUNCTION LOAD.

mod sha256;

use polyfn::{call, pcall, register_function, register_function_with, Options, Reply, NO_WRITES};

const READ_ONLY: Options = Options { flags: &[NO_WRITES], description: "" };

fn library() {
    // FCALL hello 0 world -> "Hello, world!"
    register_function_with("hello", Options { flags: &[NO_WRITES], description: "greets" }, |_, args| {
        let name = args.first().copied().unwrap_or(b"stranger");
        let mut s = b"Hello, ".to_vec();
        s.extend_from_slice(name);
        s.push(b'!');
        Reply::Bulk(s)
    });

    // FCALL set_get 1 key value -> value, after SET key value.
    register_function("set_get", |keys, args| {
        if keys.is_empty() || args.is_empty() {
            return Reply::error("ERR set_get needs a key and a value");
        }
        call(&[b"SET", keys[0], args[0]]);
        call(&[b"GET", keys[0]])
    });

    // FCALL count_to 0 n -> n, counted in a loop in the guest (volatile,
    // so that the compiler keeps the loop).
    register_function_with("count_to", READ_ONLY, |_, args| {
        let n = match args.first().and_then(|a| polyfn::parse_int(a)) {
            Some(n) => n,
            None => return Reply::error("ERR value is not an integer or out of range"),
        };
        let mut i = 0i64;
        let p = &mut i as *mut i64;
        unsafe {
            while std::ptr::read_volatile(p) < n {
                std::ptr::write_volatile(p, std::ptr::read_volatile(p) + 1);
            }
        }
        Reply::Int(i)
    });

    // FCALL one 0 -> 1 (the benchmarks' trivial function, as Lua's "return 1").
    register_function_with("one", READ_ONLY, |_, _| Reply::Int(1));

    // FCALL sum_loop 0 n -> the sum of i*2 for i = 1..n, added up in a
    // loop (the benchmarks' 1,000-iteration arithmetic loop, as the Lua one).
    register_function_with("sum_loop", READ_ONLY, |_, args| {
        let n = match args.first().and_then(|a| polyfn::parse_int(a)) {
            Some(n) => n,
            None => return Reply::error("ERR value is not an integer or out of range"),
        };
        let mut s = 0i64;
        let mut i = 1i64;
        while i <= n {
            s = s.wrapping_add(i.wrapping_mul(2));
            i += 1;
        }
        Reply::Int(s)
    });

    // FCALL sha256hex 0 data -> the SHA-256 of data, in hex.
    register_function_with("sha256hex", READ_ONLY, |_, args| match args.first() {
        Some(data) => {
            let hex: String = sha256::sha256(data).iter().map(|b| format!("{:02x}", b)).collect();
            Reply::from(hex)
        }
        None => Reply::error("ERR sha256hex needs an argument"),
    });

    // FCALL ping 0 -> the server's PONG, or its error as a value.
    register_function_with("ping", READ_ONLY, |_, _| pcall(&[b"PING"]));

    // FCALL echo 0 args... -> the arguments (binary-safe both ways).
    register_function_with("echo", READ_ONLY, |_, args| {
        Reply::Array(args.iter().map(|a| Reply::from(*a)).collect())
    });

    // FCALL pcall_info 0 cmd args... -> [type, text] of the command's
    // reply, an error included (as data).
    register_function("pcall_info", |_, args| {
        if args.is_empty() {
            return Reply::error("ERR pcall_info needs a command");
        }
        let r = pcall(args);
        let kind = format!("{:?}", r.kind()).to_lowercase();
        let kind = match kind.as_str() {
            "int" => "integer",
            "bool" => "boolean",
            k => k,
        };
        let text = match &r {
            Reply::Int(n) => Reply::Int(*n),
            Reply::Bool(b) => Reply::Int(*b as i64),
            Reply::Double(f) => Reply::Double(*f),
            Reply::Array(v) | Reply::Set(v) => Reply::Int(v.len() as i64),
            Reply::Map(kv) => Reply::Int(2 * kv.len() as i64),
            other => Reply::from(other.as_bytes()),
        };
        Reply::Array(vec![Reply::from(kind), text])
    });

    // FCALL types 0 -> one reply of every type.
    register_function_with(
        "types",
        Options { flags: &[NO_WRITES, polyfn::ALLOW_STALE], description: "one reply of every type" },
        |_, _| {
            Reply::Array(vec![
                Reply::status("OK"),
                Reply::Int(-42),
                Reply::from("bulk"),
                Reply::Null,
                Reply::from(None::<i64>),
                Reply::Double(1.5),
                Reply::Bool(true),
                Reply::Bool(false),
                Reply::BigNumber(b"12345678901234567890".to_vec()),
                Reply::verbatim("txt", "verbatim"),
                Reply::Map(vec![(Reply::from("k"), Reply::Int(1))]),
                Reply::Set(vec![Reply::from("m")]),
                Reply::Array(vec![]),
                Reply::error("ERR nested"),
            ])
        },
    );

    // FCALL fail 0 -> an error reply; FCALL crash 0 -> a panic.
    register_function_with("fail", READ_ONLY, |_, _| Reply::error("MYERR something failed"));
    register_function_with("crash", READ_ONLY, |_, _| panic!("crashed on purpose"));

    // FCALL log 0 level message -> OK, after logging the message.
    register_function_with("log", READ_ONLY, |_, args| {
        match (args.first().and_then(|a| polyfn::parse_int(a)), args.get(1)) {
            (Some(level), Some(msg)) => {
                polyfn::log(level as i32, msg);
                Reply::status("OK")
            }
            _ => Reply::error("ERR log needs a level and a message"),
        }
    });

    // FCALL resp3_hgetall 1 key -> HGETALL key with RESP3 replies (a map).
    register_function_with("resp3_hgetall", READ_ONLY, |keys, _| {
        polyfn::set_resp(3);
        call(&[b"HGETALL", keys[0]])
    });

    // FCALL set_norepl 1 key value -> SET key value, replicated nowhere.
    register_function("set_norepl", |keys, args| {
        polyfn::set_repl(polyfn::REPL_NONE);
        call(&[b"SET", keys[0], args[0]])
    });

    // FCALL may 0 cmd args... -> whether the calling user may run it.
    register_function_with("may", READ_ONLY, |_, args| Reply::Bool(polyfn::acl_check(args)));

    // FCALL incr_by 1 key n -> INCRBY key n, n sent as an integer argument.
    register_function("incr_by", |keys, args| match args.first().and_then(|a| polyfn::parse_int(a)) {
        Some(n) => call(&[b"INCRBY", keys[0], n.to_string().as_bytes()]),
        None => Reply::error("ERR value is not an integer or out of range"),
    });
}

polyfn::library!(library);
