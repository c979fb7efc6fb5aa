package core

func registerServerCommands(t *Table) {}
