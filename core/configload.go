package core

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SplitLine splits a redis.conf line into words: whitespace separated,
// with "double" (escapes allowed) and 'single' quotes. It is provided by
// the protocol package (the inline-command rules are the same); core
// receives it to stay free of an import cycle.
var SplitLine func(line string) ([]string, bool)

// LoadArgs applies redis-server style command-line arguments: an optional
// config file path first, then "--name value..." options (the words up to
// the next "--name" are joined with spaces, as redis-server does).
func (c *Config) LoadArgs(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		if err := c.LoadFile(args[0]); err != nil {
			return err
		}
		if abs, err := filepath.Abs(args[0]); err == nil {
			c.File = abs
		}
		args = args[1:]
	}
	for i := 0; i < len(args); {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok || name == "" {
			return fmt.Errorf("invalid argument %q: options look like --name value", args[i])
		}
		i++
		var words []string
		for i < len(args) && !strings.HasPrefix(args[i], "--") {
			words = append(words, args[i])
			i++
		}
		if err := c.apply(name, words); err != nil {
			return err
		}
	}
	return nil
}

// LoadFile applies a redis.conf style file: one "name value..." per line,
// '#' comments, quoted values.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("can't open config file %q: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		words, ok := SplitLine(text)
		if !ok {
			return fmt.Errorf("%s:%d: unbalanced quotes in configuration line", path, line)
		}
		if err := c.apply(words[0], words[1:]); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	return sc.Err()
}

func (c *Config) apply(name string, words []string) error {
	if err := c.Set(name, strings.Join(words, " "), true); err != nil {
		if err == ErrUnknownParam {
			return fmt.Errorf("bad directive or wrong number of arguments: %s", name)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
