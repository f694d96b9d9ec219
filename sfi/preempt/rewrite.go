package preempt

import (
	"fmt"
	"strconv"
	"strings"
)

// rewriter emits the instrumented sections of one module.
type rewriter struct {
	m *module

	typeVoid, typeBulk     uint32 // added types
	preempt                uint32 // function index of the inserted import
	budget                 uint32 // global index of the budget
	fillHelper, copyHelper uint32 // function indices of the bulk helpers
	needHelpers            bool   // some function uses memory.fill or memory.copy
	added                  []addedFunc
	scratch                []byte            // types of the scratch globals, after the budget
	addrTaken              []bool            // functions in element segments or named by ref.func
	grown                  map[uint32]bool   // tables some table.grow grows
	growHelper             map[uint32]uint32 // their bounded grow functions
	growTypes              map[byte]uint32   // (ref, i32) -> i32 types, by ref type
	addedTypes             [][]byte          // types after typeBulk
	locals                 int               // declared in all functions
	writesTables           bool              // some table.set, table.init, table.copy, table.grow or table.fill
}

// fn maps an original function index to its index after the preempt
// import is inserted before the defined functions.
func (w *rewriter) fn(idx uint32) uint32 {
	if idx >= w.preempt {
		return idx + 1
	}
	return idx
}

func (w *rewriter) newTypes() [][]byte {
	return append([][]byte{
		{0x60, 0, 0},
		{0x60, 3, typeI32, typeI32, typeI32, 0},
	}, w.addedTypes...)
}

func (w *rewriter) newImport() []byte {
	b := appendName(appendName(nil, ImportModule), ImportFunc)
	return appendU32(append(b, 0x00), w.typeVoid)
}

// newGlobals returns the budget and the scratch globals.
func (w *rewriter) newGlobals() [][]byte {
	b := []byte{typeI32, 0x01, 0x41}
	b = appendS64(b, Budget)
	out := [][]byte{append(b, 0x0b)}
	for _, t := range w.scratch {
		g := []byte{t, 0x01}
		switch t {
		case typeI32, typeI64:
			g = append(g, 0x41+(typeI32-t), 0)
		case typeF32:
			g = append(g, 0x43, 0, 0, 0, 0)
		case typeF64:
			g = append(g, 0x44, 0, 0, 0, 0, 0, 0, 0, 0)
		case typeV128:
			g = append(append(g, 0xfd, 12), make([]byte, 16)...)
		default: // funcref, externref
			g = append(g, 0xd0, t)
		}
		out = append(out, append(g, 0x0b))
	}
	return out
}

// newExports returns the exports of the budget and the scratch globals.
func (w *rewriter) newExports() [][]byte {
	out := [][]byte{appendU32(append(appendName(nil, BudgetGlobal), 0x03), w.budget)}
	for k := range w.scratch {
		name := ScratchPrefix + strconv.Itoa(k)
		out = append(out, appendU32(append(appendName(nil, name), 0x03), w.budget+1+uint32(k)))
	}
	return out
}

func (w *rewriter) newFunctions() [][]byte {
	var out [][]byte
	for _, a := range w.added {
		out = append(out, appendU32(nil, a.typ))
	}
	return out
}

// newSection is the body of a section the module lacks.
func (w *rewriter) newSection(id byte) []byte {
	switch id {
	case secType:
		return vector(w.newTypes()...)
	case secImport:
		return vector(w.newImport())
	case secGlobal:
		return vector(w.newGlobals()...)
	case secExport:
		return vector(w.newExports()...)
	case secFunction:
		return vector(w.newFunctions()...)
	}
	panic(fmt.Sprintf("preempt: no new section %d", id))
}

// constExpr copies a constant expression up to its end, checking and
// renumbering the indices it holds.
func (w *rewriter) constExpr(r *reader, out []byte) ([]byte, error) {
	f := &funcRewriter{w: w, r: r, out: out}
	if err := f.instructions(); err != nil {
		return nil, err
	}
	return f.out, nil
}

func (w *rewriter) globalSection(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	added := w.newGlobals()
	out := appendU32(nil, n+uint32(len(added)))
	for i := uint32(0); i < n; i++ {
		if _, err := r.valType(); err != nil {
			return nil, err
		}
		mut, err := r.byte()
		if err != nil {
			return nil, err
		}
		if mut > 1 {
			return nil, fmt.Errorf("global %d: bad mutability 0x%x", i, mut)
		}
		out = append(out, body[r.pos-2:r.pos]...)
		if out, err = w.constExpr(r, out); err != nil {
			return nil, fmt.Errorf("global %d: %w", i, err)
		}
	}
	if !r.done() {
		return nil, fmt.Errorf("%d bytes after the globals", len(body)-r.pos)
	}
	for _, g := range added {
		out = append(out, g...)
	}
	return out, nil
}

func (w *rewriter) exports(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	added := w.newExports()
	out := appendU32(nil, n+uint32(len(added)))
	for i := uint32(0); i < n; i++ {
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		if name == BudgetGlobal || strings.HasPrefix(name, ScratchPrefix) {
			return nil, fmt.Errorf("exports the reserved name %s", name)
		}
		kind, err := r.byte()
		if err != nil {
			return nil, err
		}
		idx, err := r.u32()
		if err != nil {
			return nil, err
		}
		switch kind {
		case 0x00:
			if idx >= w.m.funcs() {
				return nil, fmt.Errorf("export %q: function %d out of range", name, idx)
			}
			idx = w.fn(idx)
		case 0x03:
			if idx >= w.m.globals {
				return nil, fmt.Errorf("export %q: global %d out of range", name, idx)
			}
		case 0x01, 0x02:
		default:
			return nil, fmt.Errorf("export %q: unknown kind 0x%x", name, kind)
		}
		out = appendU32(append(appendName(out, name), kind), idx)
	}
	if !r.done() {
		return nil, fmt.Errorf("%d bytes after the exports", len(body)-r.pos)
	}
	for _, e := range added {
		out = append(out, e...)
	}
	return out, nil
}

func (w *rewriter) start(body []byte) ([]byte, error) {
	r := &reader{b: body}
	idx, err := r.u32()
	if err != nil {
		return nil, err
	}
	if idx >= w.m.funcs() || !r.done() {
		return nil, fmt.Errorf("bad start function")
	}
	return appendU32(nil, w.fn(idx)), nil
}

// elements checks and renumbers function indices in element segments (all
// eight encodings of WebAssembly 2.0).
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
		if flags&3 == 2 { // active with an explicit table index
			t, err := r.u32()
			if err != nil {
				return nil, err
			}
			out = appendU32(out, t)
		}
		if flags&1 == 0 { // active: offset expression
			if out, err = w.constExpr(r, out); err != nil {
				return nil, fmt.Errorf("element segment %d: %w", i, err)
			}
		}
		if flags&3 != 0 { // elemkind or reftype
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
				if out, err = w.constExpr(r, out); err != nil {
					return nil, fmt.Errorf("element segment %d: %w", i, err)
				}
				continue
			}
			idx, err := r.u32()
			if err != nil {
				return nil, err
			}
			if idx >= w.m.funcs() {
				return nil, fmt.Errorf("element segment %d: function %d out of range", i, idx)
			}
			w.addrTaken[idx] = true
			out = appendU32(out, w.fn(idx))
		}
	}
	if !r.done() {
		return nil, fmt.Errorf("%d bytes after the element segments", len(body)-r.pos)
	}
	return out, nil
}

// data checks the offset expressions of data segments.
func (w *rewriter) data(body []byte) ([]byte, error) {
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
		out = appendU32(out, flags)
		switch flags {
		case 0, 2:
			if flags == 2 {
				mem, err := r.u32()
				if err != nil {
					return nil, err
				}
				out = appendU32(out, mem)
			}
			if out, err = w.constExpr(r, out); err != nil {
				return nil, fmt.Errorf("data segment %d: %w", i, err)
			}
		case 1:
		default:
			return nil, fmt.Errorf("data segment %d: bad flags %d", i, flags)
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		if flags == 1 && size > maxPassiveData {
			// memory.init copies a passive segment in one piece: bound
			// how long that may take without a preemption point.
			return nil, fmt.Errorf("passive data segment %d has %d bytes, more than the %d allowed", i, size, maxPassiveData)
		}
		b, err := r.bytes(uint64(size))
		if err != nil {
			return nil, err
		}
		out = append(appendU32(out, size), b...)
	}
	if !r.done() {
		return nil, fmt.Errorf("%d bytes after the data segments", len(body)-r.pos)
	}
	return out, nil
}

// names rewrites the "name" custom section: the module name (subsection
// 0), function names (1) and local names (2, keyed by function; the added
// locals come after the guest's, so local indices keep), with function
// indices renumbered. Other subsections are dropped (the runtime reads only
// these three; label names would be stale anyway, the added blocks shift
// label numbers). A name section that does not parse exactly (bytes after
// a subsection's entries, bad UTF-8, counts larger than the section) is
// dropped whole: it is only debugging information, and the runtime
// allocates by the counts it claims before it finds them false.
func (w *rewriter) names(body []byte) []byte {
	r := &reader{b: body}
	if _, err := r.name(); err != nil {
		return nil
	}
	out := append([]byte(nil), body[:r.pos]...)
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			return nil
		}
		size, err := r.u32()
		if err != nil {
			return nil
		}
		sub, err := r.bytes(uint64(size))
		if err != nil {
			return nil
		}
		switch id {
		case 0:
			sr := &reader{b: sub}
			if _, err := sr.utf8(); err != nil || !sr.done() {
				return nil
			}
		case 1, 2:
			if sub, err = w.nameMap(sub, id == 2); err != nil {
				return nil
			}
		default:
			continue
		}
		out = append(out, id)
		out = appendU32(out, uint32(len(sub)))
		out = append(out, sub...)
	}
	return out
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
			err = readVector(r, func(uint32) error {
				if _, err := r.u32(); err != nil {
					return err
				}
				_, err := r.utf8()
				return err
			})
		} else {
			_, err = r.utf8()
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.b[start:r.pos]...)
	}
	if !r.done() {
		return nil, fmt.Errorf("bytes after the names")
	}
	return out, nil
}
