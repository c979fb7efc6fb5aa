package core

func registerBitmapCommands(t *Table) {}
