package sfi

import "fmt"

// rewriter renumbers function references after the preempt import is
// inserted and instruments code. See instrument.
type rewriter struct {
	shiftFrom uint32 // function indices >= shiftFrom move up by one
	budget    uint32 // index of the budget global
}

func (w *rewriter) fn(idx uint32) uint32 {
	if idx >= w.shiftFrom {
		return idx + 1
	}
	return idx
}

// expr copies one instruction sequence up to and including its final end,
// renumbering function references; with loops it also inserts the budget
// check at every loop head.
func (w *rewriter) expr(r *reader, out []byte, loops bool) ([]byte, error) {
	depth := 0
	for {
		start := r.pos
		op, err := r.byte()
		if err != nil {
			return nil, err
		}
		switch op {
		case 0x10, 0x12, 0xd2: // call, return_call, ref.func
			idx, err := r.u32()
			if err != nil {
				return nil, err
			}
			out = appendU32(append(out, op), w.fn(idx))
			continue
		}
		if err := r.skipImmediates(op); err != nil {
			return nil, fmt.Errorf("at byte %d: %w", start, err)
		}
		out = append(out, r.b[start:r.pos]...)
		switch op {
		case 0x02, 0x04: // block, if
			depth++
		case 0x03: // loop
			depth++
			if loops {
				out = w.budgetCheck(out)
			}
		case 0x0b: // end
			if depth == 0 {
				return out, nil
			}
			depth--
		}
	}
}

// budgetCheck appends:
//
//	budget -= 1; if budget <= 0 { call preempt; budget = Budget }
//
// The guest refills its own budget, so the only writer on the Go side is
// Interrupt.
func (w *rewriter) budgetCheck(out []byte) []byte {
	out = appendU32(append(out, 0x23), w.budget) // global.get
	out = append(out, 0x41, 0x01, 0x6b)          // i32.const 1; i32.sub
	out = appendU32(append(out, 0x24), w.budget) // global.set
	out = appendU32(append(out, 0x23), w.budget) // global.get
	out = append(out, 0x41, 0x00, 0x4c)          // i32.const 0; i32.le_s
	out = append(out, 0x04, 0x40)                // if (empty)
	out = appendU32(append(out, 0x10), w.shiftFrom)
	out = append(append(out, 0x41), appendS32(nil, Budget)...) // i32.const Budget
	out = appendU32(append(out, 0x24), w.budget)               // global.set
	return append(out, 0x0b)                                   // end
}

// code rewrites the code section.
func (w *rewriter) code(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := appendU32(nil, n)
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		fn, err := r.bytes(int(size))
		if err != nil {
			return nil, err
		}
		fr := &reader{b: fn}
		groups, err := fr.u32()
		if err != nil {
			return nil, err
		}
		for g := uint32(0); g < groups; g++ {
			if _, err := fr.u32(); err != nil {
				return nil, err
			}
			if _, err := fr.byte(); err != nil {
				return nil, err
			}
		}
		nf := append(make([]byte, 0, len(fn)+32), fn[:fr.pos]...)
		if nf, err = w.expr(fr, nf, true); err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		if fr.pos != len(fn) {
			return nil, fmt.Errorf("function %d: code after the final end", i)
		}
		out = appendU32(out, uint32(len(nf)))
		out = append(out, nf...)
	}
	return out, nil
}

// globals renumbers ref.func in global initializers.
func (w *rewriter) globals(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := appendU32(nil, n)
	for i := uint32(0); i < n; i++ {
		t, err := r.bytes(2) // valtype, mut
		if err != nil {
			return nil, err
		}
		out = append(out, t...)
		if out, err = w.expr(r, out, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// exports renumbers exported functions.
func (w *rewriter) exports(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := appendU32(nil, n)
	for i := uint32(0); i < n; i++ {
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		if name == BudgetGlobal {
			return nil, fmt.Errorf("exports the reserved name %s", BudgetGlobal)
		}
		kind, err := r.byte()
		if err != nil {
			return nil, err
		}
		idx, err := r.u32()
		if err != nil {
			return nil, err
		}
		if kind == 0x00 {
			idx = w.fn(idx)
		}
		out = appendU32(append(appendName(out, name), kind), idx)
	}
	return out, nil
}

// elements renumbers function indices in element segments (all eight
// encodings of WebAssembly 2.0).
func (w *rewriter) elements(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := appendU32(nil, n)
	for i := uint32(0); i < n; i++ {
		flags, err := r.u32()
		if err != nil {
			return nil, err
		}
		if flags > 7 {
			return nil, fmt.Errorf("element segment %d: bad flags %d", i, flags)
		}
		out = appendU32(out, flags)
		if flags&2 != 0 && flags&1 == 0 { // explicit table index
			t, err := r.u32()
			if err != nil {
				return nil, err
			}
			out = appendU32(out, t)
		}
		if flags&1 == 0 { // active: offset expression
			if out, err = w.expr(r, out, false); err != nil {
				return nil, err
			}
		}
		if flags&3 != 0 { // elemkind or reftype byte
			b, err := r.byte()
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		cnt, err := r.u32()
		if err != nil {
			return nil, err
		}
		out = appendU32(out, cnt)
		for j := uint32(0); j < cnt; j++ {
			if flags&4 != 0 {
				if out, err = w.expr(r, out, false); err != nil {
					return nil, err
				}
				continue
			}
			idx, err := r.u32()
			if err != nil {
				return nil, err
			}
			out = appendU32(out, w.fn(idx))
		}
	}
	return out, nil
}

// names renumbers the function and local name maps of the "name" custom
// section and keeps the other subsections (which name no functions, except
// label names, which are dropped).
func (w *rewriter) names(body []byte) ([]byte, error) {
	r := &reader{b: body}
	if _, err := r.name(); err != nil {
		return nil, err
	}
	out := append([]byte(nil), body[:r.pos]...)
	for r.pos < len(r.b) {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		sub, err := r.bytes(int(size))
		if err != nil {
			return nil, err
		}
		switch id {
		case 1: // function names: namemap
			if sub, err = w.nameMap(sub, false); err != nil {
				return nil, err
			}
		case 2: // local names: indirect namemap keyed by function
			if sub, err = w.nameMap(sub, true); err != nil {
				return nil, err
			}
		case 3: // label names: not worth keeping
			continue
		}
		out = append(out, id)
		out = appendU32(out, uint32(len(sub)))
		out = append(out, sub...)
	}
	return out, nil
}

func (w *rewriter) nameMap(sub []byte, indirect bool) ([]byte, error) {
	r := &reader{b: sub}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	out := appendU32(nil, n)
	for i := uint32(0); i < n; i++ {
		idx, err := r.u32()
		if err != nil {
			return nil, err
		}
		out = appendU32(out, w.fn(idx))
		start := r.pos
		if indirect {
			m, err := r.u32()
			if err != nil {
				return nil, err
			}
			for j := uint32(0); j < m; j++ {
				if _, err := r.u32(); err != nil {
					return nil, err
				}
				if _, err := r.name(); err != nil {
					return nil, err
				}
			}
		} else if _, err := r.name(); err != nil {
			return nil, err
		}
		out = append(out, r.b[start:r.pos]...)
	}
	return out, nil
}
