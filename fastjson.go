package vpsorg

import "unicode/utf8"

// List answers are nearly all the JSON the SDK reads, and encoding/json
// spends most of a list call scanning each body twice and reflecting over
// every field. jsonReader decodes the SDK's own answer types in one pass,
// but only the input it is sure about. Anything else (a value of the wrong
// type, a key that matches a field only when case is ignored, a repeated
// key, a surrogate escape, invalid UTF-8, data after the value) marks it
// failed, and decodeBody decodes the same bytes again with encoding/json.
// Results and errors are therefore encoding/json's for every input:
// FuzzFastDecode holds the two paths to that, and TestFastDecodeEveryField
// fails when a model gains a field its table (fastjson_models.go) lacks.

// jsonDecodable is a type jsonReader can decode.
type jsonDecodable interface {
	readJSON(r *jsonReader)
}

// maxFastDepth is how deep unknown values may nest before the reader
// leaves the body to encoding/json, which allows far more.
const maxFastDepth = 64

// jsonReader reads one JSON text from b. Once failed is set it has moved
// to the end of b, so every later read fails at once and loops end.
type jsonReader struct {
	b      []byte
	i      int
	depth  int
	failed bool
}

// decodeFast decodes b into v and reports whether it could. On false, v
// may hold part of the answer.
func decodeFast(b []byte, v jsonDecodable) bool {
	r := jsonReader{b: b}
	v.readJSON(&r)
	r.ws()
	return !r.failed && r.i == len(r.b)
}

func (r *jsonReader) fail() {
	r.failed = true
	r.i = len(r.b)
}

// ws skips JSON whitespace.
func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, or 0 at the end.
func (r *jsonReader) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// literal consumes lit, or fails.
func (r *jsonReader) literal(lit string) {
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		r.fail()
		return
	}
	r.i += len(lit)
}

// null consumes a null and reports whether there was one.
func (r *jsonReader) null() bool {
	if r.peek() != 'n' {
		return false
	}
	r.literal("null")
	return !r.failed
}

// open consumes the byte that opens an object or array, or fails.
func (r *jsonReader) open(c byte) bool {
	if r.peek() != c {
		r.fail()
		return false
	}
	r.i++
	return true
}

// more reports whether an object or array closed by end has another
// member, consuming the comma before it or the closing byte.
func (r *jsonReader) more(end byte, first bool) bool {
	c := r.peek()
	switch {
	case c == end:
		r.i++
		return false
	case first:
		return !r.failed
	case c == ',':
		// A trailing comma fails in the member's reader, which finds the
		// closing byte where a key or value should be.
		r.i++
		return true
	default:
		r.fail()
		return false
	}
}

// key reads an object key and its colon. Keys with escapes or non-ASCII
// bytes fail: encoding/json might match them to a field by Unicode case
// folding.
func (r *jsonReader) key() []byte {
	if !r.open('"') {
		return nil
	}
	start := r.i
	end := plainRun(r.b, start)
	if end >= len(r.b) || r.b[end] != '"' {
		r.fail()
		return nil
	}
	r.i = end + 1
	if r.peek() != ':' {
		r.fail()
		return nil
	}
	r.i++
	return r.b[start:end]
}

// plainByte marks the bytes a string holds as they are: not a quote, a
// backslash, a control character or part of a multi-byte rune.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainRun returns the index of the first byte at or after i that is not
// plain.
func plainRun(b []byte, i int) int {
	for i < len(b) && plainByte[b[i]] {
		i++
	}
	return i
}

// stringToken consumes a string as encoding/json's scanner accepts it and
// returns it raw, quotes included.
func (r *jsonReader) stringToken() []byte {
	start := r.i
	if !r.open('"') {
		return nil
	}
	for r.i = plainRun(r.b, r.i); r.i < len(r.b); r.i = plainRun(r.b, r.i) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			return r.b[start:r.i]
		case c < 0x20:
			r.fail()
			return nil
		case c == '\\':
			r.i++
			if r.i >= len(r.b) {
				r.fail()
				return nil
			}
			switch r.b[r.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i++
			case 'u':
				if _, ok := hex4(r.b[r.i+1:]); !ok {
					r.fail()
					return nil
				}
				r.i += 5
			default:
				r.fail()
				return nil
			}
		default: // a byte of a multi-byte rune: checked where it matters
			r.i++
		}
	}
	r.fail()
	return nil
}

// str reads a string value, unescaped. Surrogate escapes and invalid
// UTF-8, which encoding/json replaces rune by rune, fail instead.
func (r *jsonReader) str() string {
	if r.peek() == '"' {
		// Most strings are plain through to their closing quote.
		start := r.i + 1
		if end := plainRun(r.b, start); end < len(r.b) && r.b[end] == '"' {
			r.i = end + 1
			return string(r.b[start:end])
		}
	}
	raw := r.stringToken()
	if r.failed {
		return ""
	}
	s := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1] // stringToken checked every escape
			i += 2
			switch e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rn, _ := hex4(s[i:])
				i += 4
				if rn >= 0xd800 && rn < 0xe000 {
					r.fail()
					return ""
				}
				out = utf8.AppendRune(out, rn)
			default: // '"', '\\', '/'
				out = append(out, e)
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			rn, size := utf8.DecodeRune(s[i:])
			if rn == utf8.RuneError && size == 1 {
				r.fail()
				return ""
			}
			out = append(out, s[i:i+size]...)
			i += size
		}
	}
	return string(out)
}

// hex4 reads four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var n rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | rune(c)
	}
	return n, true
}

// number consumes a number in JSON's grammar and reports whether it had
// neither fraction nor exponent.
func (r *jsonReader) number() (tok []byte, integer bool) {
	r.ws()
	start := r.i
	b := r.b
	i := r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		r.fail()
		return nil, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		if i = digits(b, i+1); b[i-1] == '.' {
			r.fail()
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digits(b, i); j == i {
			r.fail()
			return nil, false
		} else {
			i = j
		}
	}
	r.i = i
	return b[start:i], integer
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// integer reads a whole number that fits in bits bits. Fractions,
// exponents and overflow, which encoding/json refuses for an integer
// field, fail.
func (r *jsonReader) integer(bits uint) int64 {
	tok, whole := r.number()
	if r.failed || !whole {
		r.fail()
		return 0
	}
	neg := tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	limit := uint64(1) << (bits - 1) // |min|; max is one less
	var n uint64
	for _, c := range tok {
		d := uint64(c - '0')
		if n > (limit-d)/10 {
			r.fail()
			return 0
		}
		n = n*10 + d
	}
	if neg {
		return -int64(n)
	}
	if n == limit {
		r.fail()
		return 0
	}
	return int64(n)
}

// skip consumes a value of any type, as encoding/json's scanner would
// accept it, for keys no field takes.
func (r *jsonReader) skip() {
	switch r.peek() {
	case '"':
		r.stringToken()
	case '{':
		r.nest(func() {
			r.i++
			for first := true; r.more('}', first); first = false {
				r.key()
				r.skip()
			}
		})
	case '[':
		r.nest(func() {
			r.i++
			for first := true; r.more(']', first); first = false {
				r.skip()
			}
		})
	case 't':
		r.literal("true")
	case 'f':
		r.literal("false")
	case 'n':
		r.literal("null")
	default:
		r.number()
	}
}

// nest runs read one level deeper, failing past maxFastDepth.
func (r *jsonReader) nest(read func()) {
	if r.depth++; r.depth > maxFastDepth {
		r.fail()
		return
	}
	read()
	r.depth--
}
