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
