package core

func registerHashCommands(t *Table) {}
