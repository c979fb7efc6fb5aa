package core

// Match reports whether str matches the glob pattern with Redis's
// stringmatchlen rules (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): '*', '?',
// '[abc]', '[^a-z]', and '\' escapes; a '[' class left open runs to the end
// of the pattern.
func Match(pattern, str string, nocase bool) bool {
	skip := false
	return match(pattern, str, nocase, &skip, 0)
}

func fold(c byte, nocase bool) byte {
	if nocase && c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func match(p, s string, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			// The rest of the pattern cannot match any suffix: no longer
			// match can succeed either.
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if len(p) == 0 {
					break
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end := fold(p[0], nocase), fold(p[2], nocase)
					if start > end {
						start, end = end, start
					}
					c := fold(s[0], nocase)
					p = p[2:]
					if c >= start && c <= end {
						matched = true
					}
				} else if fold(p[0], nocase) == fold(s[0], nocase) {
					matched = true
				}
				p = p[1:]
			}
			if len(p) == 0 {
				// unterminated class: Redis treats the pattern as ended
				p = " " // consumed below
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if fold(p[0], nocase) != fold(s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
