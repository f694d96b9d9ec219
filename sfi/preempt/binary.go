package preempt

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// The WebAssembly binary format, as far as the rewriter reads and writes it.
// Every read is bounds-checked and returns an error, never panics: the bytes
// are a guest's.

var errTruncated = errors.New("truncated")

type reader struct {
	b   []byte
	pos int
}

func (r *reader) done() bool { return r.pos >= len(r.b) }

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.pos) {
		return nil, errTruncated
	}
	b := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// uleb reads an unsigned LEB128 of at most bits bits.
func (r *reader) uleb(bits int) (uint64, error) {
	var v uint64
	for shift := 0; ; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift+7 > bits && c>>(bits-shift) != 0 {
			// More payload bits than the type has (or a continuation
			// byte past the last one allowed).
			return 0, errors.New("integer too large")
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

// sleb reads a signed LEB128 of at most bits bits.
func (r *reader) sleb(bits int) (int64, error) {
	var v int64
	shift := 0
	for {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift+7 >= bits {
			// The last byte: no continuation; the unused bits must be
			// copies of the sign bit.
			if c&0x80 != 0 {
				return 0, errors.New("integer too large")
			}
			rest := int8(c<<1) >> (bits - shift)
			if rest != 0 && rest != -1 {
				return 0, errors.New("integer too large")
			}
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.uleb(32)
	return uint32(v), err
}

// utf8 reads a name that must be valid UTF-8.
func (r *reader) utf8() (string, error) {
	s, err := r.name()
	if err == nil && !utf8.ValidString(s) {
		err = errors.New("name is not UTF-8")
	}
	return s, err
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(uint64(n))
	return string(b), err
}

// limits reads table or memory limits and returns min, max and whether a
// max is present.
func (r *reader) limits() (uint64, uint64, bool, error) {
	flag, err := r.byte()
	if err != nil {
		return 0, 0, false, err
	}
	if flag > 3 {
		return 0, 0, false, fmt.Errorf("bad limits flag 0x%x", flag)
	}
	min, err := r.u32()
	if err != nil {
		return 0, 0, false, err
	}
	if flag&1 == 0 {
		return uint64(min), 0, false, nil
	}
	max, err := r.u32()
	return uint64(min), uint64(max), true, err
}

// Value types.
const (
	typeI32       = 0x7f
	typeI64       = 0x7e
	typeF32       = 0x7d
	typeF64       = 0x7c
	typeV128      = 0x7b
	typeFuncref   = 0x70
	typeExternref = 0x6f
)

func validValType(t byte) bool {
	switch t {
	case typeI32, typeI64, typeF32, typeF64, typeV128, typeFuncref, typeExternref:
		return true
	}
	return false
}

func (r *reader) valType() (byte, error) {
	t, err := r.byte()
	if err != nil {
		return 0, err
	}
	if !validValType(t) {
		return 0, fmt.Errorf("bad value type 0x%x", t)
	}
	return t, nil
}

func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}

// appendSection appends a section with its id and size.
func appendSection(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = appendU32(out, uint32(len(body)))
	return append(out, body...)
}

// vector appends the items as a vector (count, then the items).
func vector(items ...[]byte) []byte {
	out := appendU32(nil, uint32(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

func (r *reader) memarg() error {
	if _, err := r.u32(); err != nil {
		return err
	}
	_, err := r.u32()
	return err
}

// skipImmediates skips the immediates of op, one of the instructions the
// rewriter copies unchanged (WebAssembly 2.0 plus threads; tail calls,
// blocks, calls, local and global accesses and 0xfc are read by the
// rewriter itself). Unknown opcodes are errors: the loader refuses what it
// cannot instrument.
func (r *reader) skipImmediates(op byte) error {
	var err error
	switch {
	case op == 0x00, op == 0x01, op == 0x05, op == 0x0f, op == 0x1a, op == 0x1b, op == 0xd1,
		op >= 0x45 && op <= 0xc4:
	case op == 0x0c, op == 0x0d, op == 0x25, op == 0x26:
		_, err = r.u32()
	case op == 0x0e: // br_table
		var n uint32
		if n, err = r.u32(); err == nil {
			for i := uint64(0); i <= uint64(n) && err == nil; i++ {
				_, err = r.u32()
			}
		}
	case op == 0x1c: // select t*
		err = readVector(r, func(uint32) error { _, err := r.valType(); return err })
	case op >= 0x28 && op <= 0x3e:
		err = r.memarg()
	case op == 0x3f, op == 0x40, op == 0xd0:
		_, err = r.byte()
	case op == 0x41:
		_, err = r.sleb(32)
	case op == 0x42:
		_, err = r.sleb(64)
	case op == 0x43:
		_, err = r.bytes(4)
	case op == 0x44:
		_, err = r.bytes(8)
	case op == 0xfd:
		err = r.skipSIMD()
	case op == 0xfe:
		var sub uint32
		if sub, err = r.u32(); err == nil {
			if sub == 0x03 {
				_, err = r.byte()
			} else {
				err = r.memarg()
			}
		}
	default:
		return fmt.Errorf("unsupported instruction 0x%02x", op)
	}
	return err
}

func (r *reader) skipSIMD() error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 11, sub == 92, sub == 93:
		return r.memarg()
	case sub == 12, sub == 13:
		_, err = r.bytes(16)
	case sub >= 21 && sub <= 34:
		_, err = r.byte()
	case sub >= 84 && sub <= 91:
		if err = r.memarg(); err == nil {
			_, err = r.byte()
		}
	case sub <= 275:
	default:
		return fmt.Errorf("unsupported instruction 0xfd %d", sub)
	}
	return err
}
