package core

func registerPubSubCommands(t *Table) {}
