package polyfn

import (
	"encoding/binary"
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SDK's encodings run natively here; the guest builds run them
// through a server in engines/wasm's tests.

func TestReplyEncodeParseRoundTrip(t *testing.T) {
	cases := []struct {
		reply Reply
		resp  string
	}{
		{Null(), "_\r\n"},
		{Status("OK"), "+OK\r\n"},
		{Error("ERR bad"), "-ERR bad\r\n"},
		{Int(-42), ":-42\r\n"},
		{String("héllo"), "$6\r\nhéllo\r\n"},
		{Bulk([]byte{0, '\r', '\n', 255}), "$4\r\n\x00\r\n\xff\r\n"},
		{String(""), "$0\r\n\r\n"},
		{Double(1.5), ",1.5\r\n"},
		{Double(math.Inf(-1)), ",-inf\r\n"},
		{Bool(true), "#t\r\n"},
		{Bool(false), "#f\r\n"},
		{BigNumber("123456789012345678901234567890"), "(123456789012345678901234567890\r\n"},
		{Verbatim("txt", "some text"), "=13\r\ntxt:some text\r\n"},
		{Array(Int(1), String("a"), Null(), Array()), "*4\r\n:1\r\n$1\r\na\r\n_\r\n*0\r\n"},
		{Map(String("k"), Int(1), String("j"), Array(Bool(true))), "%2\r\n$1\r\nk\r\n:1\r\n$1\r\nj\r\n*1\r\n#t\r\n"},
		{Set(String("x")), "~1\r\n$1\r\nx\r\n"},
	}
	for _, c := range cases {
		enc := appendRESP(nil, c.reply)
		assert.Equal(t, c.resp, string(enc))
		assert.LessOrEqual(t, len(enc), respLen(c.reply))
		back, rest, err := parseRESP(append(enc, "tail"...))
		require.NoError(t, err, c.resp)
		assert.Equal(t, "tail", string(rest))
		assert.Equal(t, c.resp, string(appendRESP(nil, back)), "parsed again")
		assert.Equal(t, c.reply.Kind(), back.Kind())
	}
}

func TestAppendDecimal(t *testing.T) {
	for _, n := range []int64{0, 7, -7, 10, 99, -100, 1234567890, math.MaxInt64, math.MinInt64} {
		assert.Equal(t, "x"+strconv.FormatInt(n, 10), string(appendDecimal([]byte("x"), n)))
	}
}

func TestReplyAccessors(t *testing.T) {
	assert.True(t, Null().IsNull())
	assert.Nil(t, Null().Bytes())
	assert.Equal(t, "", Null().Text())

	e := Error("ERR nope")
	assert.True(t, e.IsError())
	assert.EqualError(t, e.Err(), "ERR nope")
	assert.NoError(t, Status("OK").Err())

	assert.Equal(t, int64(7), Int(7).Int())
	assert.Equal(t, "7", Int(7).Text())
	assert.Equal(t, 7.0, Int(7).Float())
	assert.Equal(t, int64(12), String("12").Int())
	assert.Equal(t, int64(12), Status("12").Int())
	assert.Equal(t, 2.5, String("2.5").Float())

	d := Double(-0.25)
	assert.Equal(t, -0.25, d.Float())
	assert.Equal(t, "-0.25", d.Text())
	assert.Equal(t, int64(0), d.Int(), "a double is not an integer")
	assert.False(t, d.Bool(), "a double is not a boolean")
	assert.Nil(t, d.Bytes())
	assert.Nil(t, d.Elems())

	assert.True(t, Bool(true).Bool())
	assert.Equal(t, "true", Bool(true).Text())
	assert.Equal(t, int64(1), Bool(true).Int())

	v := Verbatim("markdown", "# hi")
	assert.Equal(t, "mar", v.Format(), "cut to three bytes")
	assert.Equal(t, "# hi", string(v.Bytes()))
	assert.Equal(t, "# hi", v.Text())
	assert.Equal(t, "md ", Verbatim("md", "x").Format(), "padded with spaces")
	assert.Equal(t, "", String("x").Format())

	a := Array(String("a"), Int(2))
	require.Len(t, a.Elems(), 2)
	assert.Equal(t, "a", a.Elems()[0].Text())
	assert.Equal(t, int64(2), a.Elems()[1].Int())
	assert.Nil(t, a.Bytes())
	assert.Nil(t, Array().Elems())
	assert.Nil(t, String("x").Elems())
}

func TestReplyCloneIsIndependent(t *testing.T) {
	buf := []byte("*2\r\n$3\r\nabc\r\n=7\r\ntxt:def\r\n")
	r, _, err := parseRESP(buf)
	require.NoError(t, err)
	c := r.Clone()
	for i := range buf {
		buf[i] = 'z' // the SDK reuses the memory a reply was parsed from
	}
	require.Len(t, c.Elems(), 2)
	assert.Equal(t, "abc", c.Elems()[0].Text())
	assert.Equal(t, "txt", c.Elems()[1].Format())
	assert.Equal(t, "def", c.Elems()[1].Text())
	assert.Equal(t, "zzz", r.Elems()[0].Text(), "the original aliases its buffer")
	assert.Equal(t, int64(5), Int(5).Clone().Int())
}

func TestParseRESPRejectsMalformed(t *testing.T) {
	for _, in := range []string{
		"", "+OK", "$3\r\nab\r\n", "$-1\r\n", "$x\r\nabc\r\n", "$1234567890\r\n",
		"*2\r\n:1\r\n", "*-1\r\n", "?\r\n", ":12a\r\n", ",nope\r\n",
	} {
		_, _, err := parseRESP([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

func TestEncodeCommandItems(t *testing.T) {
	buf := encodeCommand([]Arg{"SET", []byte{0, 1}, 42, int64(-1), int32(7), uint64(18446744073709551615), 0.5, ""})
	require.Equal(t, uint32(8), binary.LittleEndian.Uint32(buf))
	buf = buf[4:]
	var items []string
	for len(buf) > 0 {
		n := binary.LittleEndian.Uint32(buf)
		items = append(items, string(buf[4:4+n]))
		buf = buf[4+n:]
	}
	assert.Equal(t, []string{"SET", "\x00\x01", "42", "-1", "7", "18446744073709551615", "0.5", ""}, items)
	assert.Panics(t, func() { encodeCommand([]Arg{struct{}{}}) })
}

// parseInt agrees with strconv.ParseInt(s, 10, 64) on the value and on
// whether it is an error, for edge cases and random strings of digits,
// signs and other bytes.
func TestParseIntMatchesStrconv(t *testing.T) {
	cases := []string{"", "+", "-", "0", "-0", "+0", "7", "-7", "+12", "007",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "99999999999999999999x",
		"-99999999999999999999", "1 ", " 1", "1_000", "0x10", "++1", "+-1", "1e3", "\x00"}
	rng := rand.New(rand.NewSource(1))
	const alphabet = "0123456789+-x "
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.Intn(24))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
			if rng.Intn(4) > 0 {
				b[j] = alphabet[rng.Intn(10)]
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt([]byte(s))
		if got != want || ok != (err == nil) {
			t.Fatalf("parseInt(%q) = %d, %v; strconv: %d, %v", s, got, ok, want, err)
		}
	}
	assert.Equal(t, int64(-42), Bulk([]byte("-42")).Int())
	assert.Equal(t, int64(0), Status("4x").Int())
}
