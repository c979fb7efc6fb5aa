package core

// DefaultTable returns the table of every command polyfn implements. Each
// command group lives in its own cmd_<group>.go file with a register
// function; this list is the only place that names them all.
func DefaultTable() *Table {
	t := NewTable()
	for _, register := range []func(*Table){
		registerConnectionCommands,
		registerServerCommands,
		registerAdminCommands,
		registerKeyCommands,
		registerStringCommands,
		registerBitmapCommands,
		registerListCommands,
		registerHashCommands,
		registerSetCommands,
		registerZSetCommands,
		registerStreamCommands,
		registerTxCommands,
		registerPubSubCommands,
		registerTrackingCommands,
		registerScriptingCommands,
		registerFunctionCommands,
		registerFunctionDumpCommands,
		registerHLLCommands,
		registerGeoCommands,
		registerSortCommands,
		registerDumpCommands,
		registerPersistCommands,
		registerACLCommands,
	} {
		register(t)
	}
	return t
}
