package core

func registerZSetCommands(t *Table) {}
