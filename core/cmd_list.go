package core

func registerListCommands(t *Table) {}
