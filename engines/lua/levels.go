package lua

// Syntax levels. gopher-lua's parser keeps a stack entry of a few hundred
// bytes for every pending level of a nested construct, and its compiler
// recurses on the Go stack for each: "return ((((...1))))" or
// "do do do ... end end end" nested a few million deep (a script of a few
// megabytes) exhausts memory or the Go stack, which ends the process.
// Lua 5.1 refuses such code before that: every nested block and every
// sub-expression count against LUAI_MAXCCALLS (200), and past it the
// chunk fails to compile with "chunk has too many syntax levels".
//
// syntaxLevels scans the code's tokens before it is parsed and counts
// levels as Lua 5.1's parser does for the constructs that nest: blocks
// (do, then, else, function, repeat), the expression of each bracket
// ((, [, {), and the right-associative and unary operators (.., ^, not,
// unary -, #). It matches redis-server on nested parentheses, braces,
// blocks, concatenation and not chains; elsewhere it may count a level
// more than Lua (for instance a long "not a and not b and ..." chain),
// never fewer where nesting is real.

// luaMaxCCalls is Lua 5.1's LUAI_MAXCCALLS.
const luaMaxCCalls = 200

const errSyntaxLevels = "chunk has too many syntax levels"

type levelFrame struct {
	block bool // a block (closed by end / until), not a bracket
	expr  bool // an expression has started in this frame (one level)
	chain int  // pending right-associative and unary operators
}

// syntaxLevels returns the line of the first token past the limit, or 0
// when the code stays within it. base is the levels already in use
// (1 for loadstring, called from a script; 0 for a script itself).
func syntaxLevels(src string, base int) int {
	frames := []levelFrame{{block: true}}
	level := base + 1 // the main chunk
	line := 1
	lastOperand := false // the previous token ends an operand
	push := func(block bool) {
		frames = append(frames, levelFrame{block: block})
		if block {
			level++
		}
	}
	pop := func(block bool) {
		for len(frames) > 1 {
			f := frames[len(frames)-1]
			frames = frames[:len(frames)-1]
			level -= f.chain
			if f.expr {
				level--
			}
			if f.block {
				level--
			}
			if f.block == block {
				return
			}
		}
	}
	endExpr := func() {
		f := &frames[len(frames)-1]
		level -= f.chain
		f.chain = 0
		if f.expr {
			level--
			f.expr = false
		}
	}
	operand := func() {
		f := &frames[len(frames)-1]
		if lastOperand {
			endExpr() // two operands in a row: a new statement
		}
		if !f.expr {
			f.expr = true
			level++
		}
	}
	// chain counts a right-associative binary operator (after an operand)
	// or a unary one (starting one).
	chain := func() {
		if !lastOperand {
			operand()
		}
		frames[len(frames)-1].chain++
		level++
	}
	for i := 0; i < len(src); {
		c := src[i]
		wasOperand := false
		switch {
		case c == '\n':
			line++
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			i += 2
			if n := longBracket(src, i); n > 0 {
				i, line = skipLong(src, i, n, line)
			} else {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			}
			continue
		case c == '[' && longBracket(src, i) > 0:
			operand()
			i, line = skipLong(src, i, longBracket(src, i), line)
			wasOperand = true
		case c == '"' || c == '\'':
			operand()
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if src[i] == '\\' && i+1 < len(src) {
					if src[i+1] == '\n' {
						line++
					}
					i++
				}
			}
			i++
			wasOperand = true
		case isNameStart(c):
			j := i
			for j < len(src) && (isNameStart(src[j]) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			switch word := src[i:j]; word {
			case "do", "then", "repeat":
				endExpr()
				push(true)
			case "function":
				operand()
				push(true)
			case "else":
				pop(true)
				push(true)
			case "elseif":
				pop(true)
			case "end", "until":
				pop(true)
				if word == "end" {
					wasOperand = true // a function expression may end here
				}
			case "not":
				chain()
			case "and", "or", "in":
			case "if", "while", "for", "local", "return", "break":
				endExpr()
			case "nil", "true", "false":
				operand()
				wasOperand = true
			default:
				operand()
				wasOperand = true
			}
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			operand()
			for i < len(src) && (isNameStart(src[i]) || src[i] >= '0' && src[i] <= '9' || src[i] == '.' ||
				(src[i] == '-' || src[i] == '+') && (src[i-1]|0x20) == 'e') {
				i++
			}
			wasOperand = true
		case c == '(' || c == '[' || c == '{':
			if !lastOperand { // else a call or an index continues the operand
				operand()
			}
			push(false)
			i++
		case c == ')' || c == ']' || c == '}':
			pop(false)
			i++
			wasOperand = true
		case c == '.' && i+2 < len(src) && src[i+1] == '.' && src[i+2] == '.':
			operand()
			i += 3
			wasOperand = true
		case c == '.' && i+1 < len(src) && src[i+1] == '.':
			chain()
			i += 2
		case c == '^' || c == '#' || c == '-' && !lastOperand:
			chain()
			i++
		case c == ',' || c == ';' || c == '=' && !(i+1 < len(src) && src[i+1] == '='):
			endExpr()
			i++
		default:
			i++
		}
		lastOperand = wasOperand
		if level > luaMaxCCalls {
			return line
		}
	}
	return 0
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// longBracket returns the length of the long bracket opening at i
// ("[[", "[=[", ...), or 0.
func longBracket(src string, i int) int {
	if i >= len(src) || src[i] != '[' {
		return 0
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i + 1
	}
	return 0
}

// skipLong skips a long string or comment opened at i with a bracket of
// n bytes, counting lines.
func skipLong(src string, i, n, line int) (int, int) {
	closing := "]" + src[i+1:i+n-1] + "]"
	for i += n; i < len(src); i++ {
		if src[i] == '\n' {
			line++
		}
		if src[i] == ']' && len(src)-i >= len(closing) && src[i:i+len(closing)] == closing {
			return i + len(closing), line
		}
	}
	return i, line
}
