package core

func registerSetCommands(t *Table) {}
