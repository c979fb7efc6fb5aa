package core

// Every error text a client can see is defined here, exactly as Redis 7.0
// writes it (without the leading '-'). Handlers reply with these constants
// or with the small formatting helpers below; nothing else in core spells
// an error message.
const (
	ErrSyntax           = "ERR syntax error"
	ErrNotInteger       = "ERR value is not an integer or out of range"
	ErrNotFloat         = "ERR value is not a valid float"
	ErrWrongType        = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNoSuchKey        = "ERR no such key"
	ErrIndexOutOfRange  = "ERR index out of range"
	ErrOverflow         = "ERR increment or decrement would overflow"
	ErrIncrNaNInf       = "ERR increment would produce NaN or Infinity"
	ErrInvalidExpire    = "ERR invalid expire time in '%s' command"
	ErrDBIndex          = "ERR DB index is out of range"
	ErrInvalidDBIndex   = "ERR invalid DB index"
	ErrSameObject       = "ERR source and destination objects are the same"
	ErrStringTooLong    = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrBitOffset        = "ERR bit offset is not an integer or out of range"
	ErrBitValue         = "ERR bit is not an integer or out of range"
	ErrTimeoutNegative  = "ERR timeout is negative"
	ErrTimeoutInvalid   = "ERR timeout is not a float or out of range"
	ErrTimeoutOutOfRng  = "ERR timeout is out of range"
	ErrNoAuth           = "NOAUTH Authentication required."
	ErrWrongPass        = "WRONGPASS invalid username-password pair or user is disabled."
	ErrAuthNotSet       = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrMultiNested      = "ERR MULTI calls can not be nested"
	ErrExecNoMulti      = "ERR EXEC without MULTI"
	ErrDiscardNoMulti   = "ERR DISCARD without MULTI"
	ErrWatchInMulti     = "ERR WATCH inside MULTI is not allowed"
	ErrExecAbort        = "EXECABORT Transaction discarded because of previous errors."
	ErrOOM              = "OOM command not allowed when used memory > 'maxmemory'."
	ErrBusyScript       = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrBusyFunction     = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	ErrProtoVersion     = "NOPROTO unsupported protocol version"
	ErrDebugDisabled    = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
	ErrMinMaxNotFloat   = "ERR min or max is not a float"
	ErrMinMaxNotString  = "ERR min or max not valid string range item"
	ErrNumkeysZero      = "ERR numkeys should be greater than 0"
	ErrCountNotPositive = "ERR count should be greater than 0"
	ErrInvalidCursor    = "ERR invalid cursor"
	ErrNotFloatScore    = "ERR value is not a valid float"
	ErrNoScript         = "NOSCRIPT No matching script. Please use EVAL."
	ErrNoPermission     = "NOPERM this user has no permissions to run one of the commands in this context"
)

// Formatted errors: the format strings are Redis's, the arguments ours.
const (
	fmtWrongArity      = "ERR wrong number of arguments for '%s' command"
	fmtUnknownCommand  = "ERR unknown command '%s', with args beginning with: %s"
	fmtUnknownSubcmd   = "ERR unknown subcommand '%s'. Try %s HELP."
	fmtPubSubContext   = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	fmtNotAllowedMulti = "ERR Command not allowed inside a transaction"
)

// Introspection commands (INFO, COMMAND, SLOWLOG, LATENCY, MONITOR).
const (
	ErrMonitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client"
	ErrSlowlogCount        = "ERR count should be greater than or equal to -1"
	ErrInvalidCommandSpec  = "ERR Invalid command specified"
	ErrNoKeyArguments      = "ERR The command has no key arguments"
	ErrInvalidArgCount     = "ERR Invalid number of arguments specified for command"
	ErrInvalidArguments    = "ERR Invalid arguments specified for command"
	fmtSubcmdArgs          = "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
)

// Generic key, expiry and database commands (cmd_keys.go, cmd_expire.go,
// cmd_db.go, cmd_object.go).
const (
	ErrExpireNXCombo     = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTLT        = "ERR GT and LT options at the same time are not compatible"
	fmtUnsupportedOption = "ERR Unsupported option %s"
	ErrIntOutOfRange32   = "ERR value is out of range, value must between -2147483648 and 2147483647"
	ErrInvalidFirstDB    = "ERR invalid first DB index"
	ErrInvalidSecondDB   = "ERR invalid second DB index"
	ErrIdleTimeLFU       = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	ErrFreqNotLFU        = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// Hash and set errors.
const (
	ErrHashNotInteger = "ERR hash value is not an integer"
	ErrHashNotFloat   = "ERR hash value is not a float"
	ErrNaNOrInfinity  = "ERR value is NaN or Infinity"
	ErrOutOfRange     = "ERR value is out of range"
	ErrMustBePositive = "ERR value is out of range, must be positive"
	ErrNumkeysTooMany = "ERR Number of keys can't be greater than number of args"
	ErrLimitNegative  = "ERR LIMIT can't be negative"
	fmtLongOutOfRange = "ERR value is out of range, value must between %d and %d"
)

// String and bitmap group errors.
const (
	ErrDecrOverflow     = "ERR decrement would overflow"
	ErrOffsetOutOfRange = "ERR offset is out of range"
	ErrLCSNotStrings    = "ERR The specified keys must contain string values"
	ErrLCSIdxAndLen     = "ERR If you want both the length and indexes, please just use IDX."
	ErrLCSTooLong       = "ERR String too long for LCS"
	ErrLCSMemory        = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	ErrBitArg           = "ERR The bit argument must be 1 or 0."
	ErrBitopNot         = "ERR BITOP NOT must be called with a single source key."
	ErrBitfieldType     = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	ErrBitfieldOverflow = "ERR Invalid OVERFLOW type specified"
	ErrBitfieldROWrite  = "ERR BITFIELD_RO only supports the GET subcommand"
)

// Sorted set errors.
const (
	ErrZAddXXNX        = "ERR XX and NX options at the same time are not compatible"
	ErrZAddGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZAddIncrPair    = "ERR INCR option supports a single increment-element pair"
	ErrZAddNaN         = "ERR resulting score is not a number (NaN)"
	ErrZRangeLimit     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrZRangeLexScores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	ErrZWeightNotFloat = "ERR weight value is not a float"
	ErrZLimitNegative  = "ERR LIMIT can't be negative"
	ErrZNotPositive    = "ERR value is out of range, must be positive"
	ErrZOutOfRange     = "ERR value is out of range"
	ErrZRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	fmtZSetOpNoKeys    = "ERR at least 1 input key is needed for '%s' command"
)

// Transactions and pub/sub (cmd_tx.go, cmd_pubsub.go).
const (
	ErrSSubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
	ErrExecAbortBecause       = "EXECABORT Transaction discarded because of: "
)

// Connection and administration commands (AUTH, HELLO, CLIENT, CONFIG,
// DEBUG, SHUTDOWN).
const (
	ErrHelloNoAuth       = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	ErrNoConfigFile      = "ERR The server is running without a config file"
	ErrNoShutdown        = "ERR No shutdown in progress."
	ErrShutdownDenyBlock = "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client"
	fmtConfigSetUnknown  = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
	fmtConfigSetFailed   = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
)

// Scripting and functions (scripting.go, cmd_scripting.go, cmd_function.go).
const (
	ErrNotBusy             = "NOTBUSY No scripts in execution right now."
	ErrUnkillable          = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	ErrScriptKilled        = "ERR Script killed by user with SCRIPT KILL..."
	ErrNumKeysNegative     = "ERR Number of keys can't be negative"
	ErrNumKeysTooMany      = "ERR Number of keys can't be greater than number of args"
	ErrScriptNoArgs        = "ERR Please specify at least one argument for this redis lib call"
	ErrScriptUnknownCmd    = "ERR Unknown Redis command called from script"
	ErrScriptWrongArity    = "ERR Wrong number of args calling Redis command from script"
	ErrScriptNoScriptCmd   = "ERR This Redis command is not allowed from script"
	ErrScriptWriteInRO     = "ERR Write commands are not allowed from read-only scripts."
	ErrScriptWriteFlagRO   = "ERR Can not execute a script with write flag using *_ro command."
	ErrScriptRespVersion   = "ERR RESP version must be 2 or 3."
	ErrScriptInvalidRepl   = "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."
	ErrShebangInvalid      = "ERR Invalid script shebang"
	fmtShebangEngine       = "ERR Unexpected engine in script shebang: %s"
	fmtShebangFlag         = "ERR Unexpected flag in script shebang: %s"
	fmtShebangOption       = "ERR Unknown lua shebang option: %s"
	ErrLibMetaMissing      = "ERR Missing library metadata"
	ErrLibMetaInvalid      = "ERR Invalid library metadata"
	ErrLibNameTwice        = "ERR Invalid metadata value, name argument was given multiple times"
	fmtLibMetaValue        = "ERR Invalid metadata value given: %s"
	ErrLibNameMissing      = "ERR Library name was not given"
	fmtEngineNotFound      = "ERR Engine '%s' not found"
	ErrLibNameInvalid      = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	fmtLibExists           = "ERR Library '%s' already exists"
	fmtFunctionExists      = "ERR Function %s already exists"
	ErrFunctionInLibExists = "ERR Function already exists in the library"
	ErrNoFunctions         = "ERR No functions registered"
	ErrFunctionNotFound    = "ERR Function not found"
	ErrLibraryNotFound     = "ERR Library not found"
	ErrBadNumKeys          = "ERR Bad number of keys provided"
	// ErrScriptDebugUnsupported is polyfn's: it has no Lua debugger yet.
	ErrScriptDebugUnsupported = "ERR SCRIPT DEBUG is not supported by this server"
)

// Scripting (Lua conformance).
const (
	ErrShebangEngineInvalid = "ERR Invalid engine in script shebang"
)

// HyperLogLog, geo and SORT.
const (
	ErrHLLWrongType       = "WRONGTYPE Key is not a valid HyperLogLog string value."
	ErrHLLCorrupt         = "INVALIDOBJ Corrupted HLL object detected"
	ErrHLLNoKey           = "ERR The specified key does not exist"
	ErrHLLNotSparse       = "ERR HLL encoding is not sparse"
	fmtHLLUnknownDebug    = "ERR Unknown PFDEBUG subcommand '%s'"
	fmtGeoBadLonLat       = "ERR invalid longitude,latitude pair %s,%s"
	ErrGeoUnit            = "ERR unsupported unit provided. please use M, KM, FT, MI"
	ErrGeoNeedRadius      = "ERR need numeric radius"
	ErrGeoNeedWidth       = "ERR need numeric width"
	ErrGeoNeedHeight      = "ERR need numeric height"
	ErrGeoRadiusNegative  = "ERR radius cannot be negative"
	ErrGeoBoxNegative     = "ERR height or width cannot be negative"
	ErrGeoMember          = "ERR could not decode requested zset member"
	ErrGeoCount           = "ERR COUNT must be > 0"
	ErrGeoAnyNeedsCount   = "ERR the ANY argument requires COUNT argument"
	fmtGeoStoreWith       = "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	fmtGeoFromOne         = "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s"
	fmtGeoByOne           = "ERR exactly one of BYRADIUS and BYBOX can be specified for %s"
	ErrSortScoreNotDouble = "ERR One or more scores can't be converted into double"
)

// DUMP and RESTORE.
const (
	ErrBusyKey       = "BUSYKEY Target key name already exists."
	ErrRestoreTTL    = "ERR Invalid TTL value, must be >= 0"
	ErrRestoreIdle   = "ERR Invalid IDLETIME value, must be >= 0"
	ErrRestoreFreq   = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	ErrBadDataFormat = "ERR Bad data format"
	// ErrDumpUnknownType is polyfn's: a value it cannot serialise.
	ErrDumpUnknownType = "ERR DUMP of this value type is not supported"
)

// Streams (cmd_stream*.go).
const (
	ErrStreamInvalidID         = "ERR Invalid stream ID specified as stream command argument"
	ErrStreamInvalidStart      = "ERR invalid start ID for the interval"
	ErrStreamInvalidEnd        = "ERR invalid end ID for the interval"
	ErrStreamMaxlenMinid       = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	ErrStreamMaxlenNeg         = "ERR The MAXLEN argument must be >= 0."
	ErrStreamLimitNeg          = "ERR The LIMIT argument must be >= 0."
	ErrStreamLimitNoStrategy   = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	ErrStreamXTrimNoStrategy   = "ERR syntax error, XTRIM must be called with a trimming strategy"
	ErrStreamLimitNoApprox     = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	ErrStreamXAddZero          = "ERR The ID specified in XADD must be greater than 0-0"
	ErrStreamXAddSmall         = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrStreamExhausted         = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrStreamEntriesAddedNeg   = "ERR entries_added must be positive"
	ErrStreamSetIDMaxDel       = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	ErrStreamSetIDSmall        = "ERR The ID specified in XSETID is smaller than the target stream top item"
	ErrStreamSetIDEntriesAdded = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	ErrStreamUnbalanced        = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	ErrStreamGroupOnlyXRG      = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	ErrStreamNoAckOnlyXRG      = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	ErrStreamMissingGroup      = "ERR Missing GROUP option for XREADGROUP"
	ErrStreamDollarGroup       = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	ErrStreamGtNoGroup         = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	ErrStreamTimeoutNotInt     = "ERR timeout is not an integer or out of range"
	ErrStreamGroupGone         = "NOGROUP the consumer group this client was blocked on no longer exists"
	ErrStreamBusyGroup         = "BUSYGROUP Consumer Group name already exists"
	ErrStreamXGroupNoKey       = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrStreamEntriesRead       = "ERR value for ENTRIESREAD must be positive or -1"
	ErrStreamAutoclaimCount    = "ERR COUNT must be > 0"
	fmtStreamNoGroupRead       = "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option"
	fmtStreamNoGroup           = "NOGROUP No such key '%s' or consumer group '%s'"
	fmtStreamNoGroupForKey     = "NOGROUP No such consumer group '%s' for key name '%s'"
	fmtStreamBlockInScript     = "ERR %s command is not allowed with BLOCK option from scripts"
	fmtStreamXClaimOption      = "ERR Unrecognized XCLAIM option '%s'"
)

// Persistence (SAVE, BGSAVE, MISCONF).
const (
	ErrMisconf          = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	ErrBgsaveInProgress = "ERR Background save already in progress"
	ErrShutdownErrors   = "ERR Errors trying to SHUTDOWN. Check logs."
	ErrDebugReloadSave  = "ERR Error trying to save the server DB"
	ErrDebugReloadLoad  = "ERR Error trying to load the RDB dump, check server logs."
	msgBgsaveStarted    = "Background saving started"
	msgBgsaveScheduled  = "Background saving scheduled"
)

// Access control (ACL, AUTH).
const (
	ErrACLDeniedKey      = "NOPERM this user has no permissions to access one of the keys used as arguments"
	ErrACLDeniedChannel  = "NOPERM this user has no permissions to access one of the channels used as arguments"
	ErrACLScriptCmd      = "ERR The user executing the script can't run this command or subcommand"
	ErrACLScriptKey      = "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments"
	ErrACLScriptChannel  = "ERR The user executing the script can't publish to the channel mentioned in the command"
	ErrACLUsernameSpaces = "ERR Usernames can't contain spaces or null characters"
	ErrACLDeleteDefault  = "ERR The 'default' user cannot be removed"
	ErrACLGenPass        = "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
	ErrACLNoFile         = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
)

// Client limits (protected mode, maxclients), written by the protocol
// layer before a connection becomes a client.
const (
	ErrProtectedMode = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
	ErrMaxClients    = "ERR max number of clients reached"
)

// Append-only file (BGREWRITEAOF, DEBUG LOADAOF, write errors).
const (
	ErrAOFRewriteInProgress = "ERR Background append only file rewriting already in progress"
	ErrBgsaveAOFActive      = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
	ErrAOFRewriteStart      = "ERR Can't execute an AOF background rewriting. Please check the server logs for more information."
	ErrAOFLoad              = "ERR Error loading the append only file, check server logs."
	fmtMisconfAOF           = "MISCONF Errors writing to the AOF file: %s"
	msgAOFRewriteStarted    = "Background append only file rewriting started"
	msgAOFRewriteScheduled  = "Background append only file rewriting scheduled"
)

// Script resource limits: polyfn's own (Redis has no per-script limit).
const (
	fmtScriptMemory = "ERR script exceeded the memory limit of %d bytes"
)
