package sfi

import (
	"errors"
	"fmt"
	"strings"
)

// The loader instruments every program before compiling it, the way
// Occlum's MMDSFI instruments x86 code: at the head of every loop it
// inserts a countdown of a budget global,
//
//	budget -= 1; if budget <= 0 { call occlum_sfi.preempt }
//
// and adds the import occlum_sfi.preempt (PreemptModule.PreemptFunc). The
// host function gives the Go scheduler a safe point (compiled guest code
// cannot be preempted, so without it a guest spinning in a loop would stall
// the garbage collector's stop-the-world and with it the whole LibOS), ends
// the process if it has been killed, and refills the budget.
//
// Interrupt sets the budget to zero, so a killed process stops at its next
// loop iteration.
//
// Why not wazero's close-on-context-done: it makes compiled code call back
// into Go at every loop iteration, measured at +35 ns per iteration (a tight
// C loop went from 0.7 to 11-16 ns per iteration, a syscall loop from 70 to
// 105 ns per call). The countdown costs about 1 ns per iteration. See
// docs/ARCHITECTURE.md.
const (
	// BudgetGlobal is the export name of the budget global.
	BudgetGlobal = "__occlum_budget"
	// PreemptModule and PreemptFunc name the inserted import.
	PreemptModule = "occlum_sfi"
	PreemptFunc   = "preempt"
	// Budget is the number of loop iterations between preemption points:
	// about 100 µs of a tight loop.
	Budget = 1 << 16
)

// instrument returns bin rewritten as described above. Function indices
// of defined functions shift by one (the new import takes the slot after
// the imported functions), so every reference to them is renumbered: call,
// return_call and ref.func in code, constant expressions, exports, the
// start function, element segments and the "name" section. Custom sections
// holding DWARF (.debug_*) are dropped: their code offsets would be stale.
// The result is validated by the runtime like any other binary.
func instrument(bin []byte) ([]byte, error) {
	if len(bin) < 8 {
		return nil, errTruncated
	}
	r := &reader{b: bin, pos: 8}
	type section struct {
		id   byte
		body []byte
	}
	var secs []section
	var counts importCounts
	nTypes := uint32(0)
	for r.pos < len(r.b) {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(int(size))
		if err != nil {
			return nil, err
		}
		switch id {
		case 0:
			if name, err := (&reader{b: body}).name(); err == nil && strings.HasPrefix(name, ".debug_") {
				continue
			}
		case 1:
			if nTypes, err = (&reader{b: body}).u32(); err != nil {
				return nil, err
			}
		case 2:
			if counts, err = countImports(body); err != nil {
				return nil, err
			}
		}
		secs = append(secs, section{id, body})
	}
	rw := &rewriter{shiftFrom: counts.funcs, budget: counts.globals}
	for _, s := range secs {
		if s.id == 6 {
			n, err := (&reader{b: s.body}).u32()
			if err != nil {
				return nil, err
			}
			rw.budget += n
		}
	}
	preemptType := nTypes
	newImport := appendName(appendName(nil, PreemptModule), PreemptFunc)
	newImport = appendU32(append(newImport, 0x00), preemptType)
	newGlobal := append([]byte{0x7f, 0x01, 0x41}, appendS32(nil, Budget)...)
	newGlobal = append(newGlobal, 0x0b)
	newExport := appendU32(append(appendName(nil, BudgetGlobal), 0x03), rw.budget)

	out := append([]byte(nil), bin[:8]...)
	emit := func(id byte, body []byte) {
		out = append(out, id)
		out = appendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	// appendTo re-emits a vector section with one more item.
	appendTo := func(id byte, body, item []byte) {
		br := &reader{b: body}
		n, _ := br.u32()
		b := appendU32(nil, n+1)
		b = append(b, body[br.pos:]...)
		emit(id, append(b, item...))
	}
	rank := map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}
	have := map[byte]bool{}
	for _, s := range secs {
		have[s.id] = true
	}
	done := map[byte]bool{}
	// flushBefore emits the sections we add, when the module has none of
	// that kind, just before the first section that must follow them.
	flushBefore := func(id byte) {
		if id == 0 {
			return
		}
		for _, add := range []struct {
			id   byte
			item []byte
		}{{1, []byte{0x60, 0x00, 0x00}}, {2, newImport}, {6, newGlobal}, {7, newExport}} {
			if !have[add.id] && !done[add.id] && rank[id] > rank[add.id] {
				emit(add.id, append(appendU32(nil, 1), add.item...))
				done[add.id] = true
			}
		}
	}
	for _, s := range secs {
		flushBefore(s.id)
		var err error
		switch s.id {
		case 1:
			appendTo(1, s.body, []byte{0x60, 0x00, 0x00}) // () -> ()
		case 2:
			appendTo(2, s.body, newImport)
		case 6:
			var b []byte
			if b, err = rw.globals(s.body); err == nil {
				appendTo(6, b, newGlobal)
			}
		case 7:
			var b []byte
			if b, err = rw.exports(s.body); err == nil {
				appendTo(7, b, newExport)
			}
		case 8:
			var idx uint32
			if idx, err = (&reader{b: s.body}).u32(); err == nil {
				emit(8, appendU32(nil, rw.fn(idx)))
			}
		case 9:
			var b []byte
			if b, err = rw.elements(s.body); err == nil {
				emit(9, b)
			}
		case 10:
			var b []byte
			if b, err = rw.code(s.body); err == nil {
				emit(10, b)
			}
		case 0:
			if name, _ := (&reader{b: s.body}).name(); name == "name" {
				var b []byte
				if b, err = rw.names(s.body); err == nil {
					emit(0, b)
				}
				break
			}
			emit(0, s.body)
		default:
			emit(s.id, s.body)
		}
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", s.id, err)
		}
	}
	flushBefore(255)
	return out, nil
}

type importCounts struct{ funcs, globals uint32 }

func countImports(body []byte) (importCounts, error) {
	var c importCounts
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return c, err
	}
	for i := uint32(0); i < n; i++ {
		mod, err := r.name()
		if err != nil {
			return c, err
		}
		if mod == PreemptModule {
			return c, fmt.Errorf("imports from %q, which is reserved for the loader", PreemptModule)
		}
		if _, err := r.name(); err != nil {
			return c, err
		}
		kind, err := r.byte()
		if err != nil {
			return c, err
		}
		switch kind {
		case 0x00: // func: type index
			c.funcs++
			_, err = r.u32()
		case 0x01: // table: reftype, limits
			if _, err = r.byte(); err == nil {
				err = r.limits()
			}
		case 0x02: // memory: limits
			err = r.limits()
		case 0x03: // global: valtype, mut
			c.globals++
			_, err = r.bytes(2)
		default:
			err = fmt.Errorf("unknown import kind 0x%x", kind)
		}
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

var errTruncated = errors.New("truncated")

type reader struct {
	b   []byte
	pos int
}

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || r.pos+n > len(r.b) {
		return nil, errTruncated
	}
	b := r.b[r.pos : r.pos+n]
	r.pos += n
	return b, nil
}

// leb skips or reads an unsigned LEB128 of at most max bits.
func (r *reader) leb(max int) (uint64, error) {
	var v uint64
	for shift := 0; ; shift += 7 {
		if shift >= max+7 {
			return 0, errors.New("LEB128 too long")
		}
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.leb(32)
	return uint32(v), err
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(int(n))
	return string(b), err
}

func (r *reader) limits() error {
	flag, err := r.byte()
	if err != nil {
		return err
	}
	if _, err := r.leb(64); err != nil {
		return err
	}
	if flag&1 != 0 {
		_, err = r.leb(64)
	}
	return err
}

func (r *reader) memarg() error {
	if _, err := r.u32(); err != nil {
		return err
	}
	_, err := r.leb(64)
	return err
}

// skipImmediates skips the immediates of op (WebAssembly 2.0 plus tail
// calls and threads). Unknown opcodes are errors: the loader refuses what it
// cannot instrument.
func (r *reader) skipImmediates(op byte) error {
	var err error
	switch {
	case op == 0x00, op == 0x01, op == 0x05, op == 0x0b, op == 0x0f, op == 0x1a, op == 0x1b, op == 0xd1,
		op >= 0x45 && op <= 0xc4:
	case op >= 0x02 && op <= 0x04: // block type: s33
		_, err = r.leb(33)
	case op == 0x0c, op == 0x0d, op == 0x10, op == 0x12, op >= 0x20 && op <= 0x26, op == 0xd2:
		_, err = r.u32()
	case op == 0x0e: // br_table
		var n uint32
		if n, err = r.u32(); err == nil {
			for i := uint32(0); i <= n && err == nil; i++ {
				_, err = r.u32()
			}
		}
	case op == 0x11, op == 0x13: // call_indirect / return_call_indirect
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
	case op == 0x1c: // select t*
		var n uint32
		if n, err = r.u32(); err == nil {
			_, err = r.bytes(int(n))
		}
	case op >= 0x28 && op <= 0x3e:
		err = r.memarg()
	case op == 0x3f, op == 0x40:
		_, err = r.u32()
	case op == 0x41:
		_, err = r.leb(32)
	case op == 0x42:
		_, err = r.leb(64)
	case op == 0x43:
		_, err = r.bytes(4)
	case op == 0x44:
		_, err = r.bytes(8)
	case op == 0xd0:
		_, err = r.byte()
	case op == 0xfc:
		err = r.skipFC()
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

func (r *reader) skipFC() error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	args := 0
	switch {
	case sub <= 7:
	case sub == 8, sub == 10, sub == 12, sub == 14:
		args = 2
	case sub == 9, sub == 11, sub == 13, sub == 15, sub == 16, sub == 17:
		args = 1
	default:
		return fmt.Errorf("unsupported instruction 0xfc %d", sub)
	}
	for i := 0; i < args; i++ {
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	return nil
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

func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}

func appendS32(b []byte, v int32) []byte {
	x := int64(v)
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if (x == 0 && c&0x40 == 0) || (x == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
