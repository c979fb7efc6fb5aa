package persist

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdbvalue"
	"github.com/stretchr/testify/require"
)

type rec struct {
	aux   []string
	funcs []string
	keys  []string
}

func (r *rec) Aux(k, v []byte)            { r.aux = append(r.aux, string(k)+"="+string(v)) }
func (r *rec) Function(code []byte) error { r.funcs = append(r.funcs, string(code)); return nil }
func (r *rec) Key(db int, k []byte, v any, at int64) error {
	r.keys = append(r.keys, string(k))
	return nil
}

func writeFile(t *testing.T, checksum bool) []byte {
	var buf bytes.Buffer
	fw := NewFileWriter(&buf, rdbvalue.Options{Compress: true, ListFill: -2}, checksum)
	fw.Header(StandardAux("7.0.15", 1700000000, 1000000))
	fw.Function([]byte("#!lua name=x\nredis.register_function('f', function() return 1 end)"))
	fw.SelectDB(0, 2, 1)
	require.NoError(t, fw.Key("foo", []byte("bar"), -1))
	s := keyspace.NewSet()
	s.Add([]byte("1"), 512)
	require.NoError(t, fw.Key("s", s, 1<<45))
	_, err := fw.Finish()
	require.NoError(t, err)
	return buf.Bytes()
}

func TestWriteLoad(t *testing.T) {
	data := writeFile(t, true)
	require.Equal(t, "REDIS0010", string(data[:9]))
	// The AUX fields are laid out as redis-server 7.0.15 writes them.
	require.True(t, bytes.HasPrefix(data[9:], []byte("\xfa\x09redis-ver\x067.0.15\xfa\x0aredis-bits\xc0\x40\xfa\x05ctime\xc2")))
	var r rec
	require.NoError(t, Load(data, Options{}, &r))
	require.Equal(t, []string{"redis-ver=7.0.15", "redis-bits=64", "ctime=1700000000", "used-mem=1000000", "aof-base=0"}, r.aux)
	require.Len(t, r.funcs, 1)
	require.Equal(t, []string{"foo", "s"}, r.keys)
	// Every truncation is an error, never a partial success.
	for n := 0; n < len(data); n++ {
		require.Error(t, Load(data[:n], Options{}, &rec{}), n)
	}
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 1
	require.ErrorIs(t, Load(bad, Options{}, &rec{}), ErrChecksum)
	require.NoError(t, Load(bad, Options{SkipChecksum: true}, &rec{}))
	// rdbchecksum no writes a zero trailer, which is not checked.
	nocrc := writeFile(t, false)
	require.Equal(t, make([]byte, 8), nocrc[len(nocrc)-8:])
	require.NoError(t, Load(nocrc, Options{}, &rec{}))
}

func TestLoadOpcodes(t *testing.T) {
	var b []byte
	b = append(b, "REDIS0009"...)
	b = append(b, OpSelectDB, 1, OpResizeDB, 1, 0, OpFreq, 5, OpIdle, 3, OpExpireTime)
	b = binary.LittleEndian.AppendUint32(b, 100)
	b = append(b, 0, 1, 'k', 1, 'v', OpEOF)
	b = append(b, make([]byte, 8)...)
	var r rec
	require.NoError(t, Load(b, Options{}, &r))
	require.Equal(t, []string{"k"}, r.keys)
	mod := append([]byte("REDIS0010"), OpModuleAux)
	require.ErrorContains(t, Load(mod, Options{}, &rec{}), "module")
	require.Error(t, Load([]byte("REDIS0011\xff"), Options{}, &rec{}))
	require.Error(t, Load(append([]byte("REDIS0010"), OpSelectDB, 20, OpEOF), Options{MaxDB: 16}, &rec{}))
}
