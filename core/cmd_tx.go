package core

func registerTxCommands(t *Table) {}
