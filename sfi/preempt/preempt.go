// Package preempt rewrites a guest's WebAssembly module so that every way
// it can run for long reaches a preemption point: a call to the host
// function occlum_sfi.preempt, which is the safe point the Go scheduler and
// garbage collector need (compiled guest code cannot be preempted by Go, so
// a guest that never calls the host would stall the collector's
// stop-the-world, and with it the whole LibOS) and where the LibOS ends a
// killed process or delivers its signals.
//
// The rewrite counts work in units against a budget, a mutable global the
// rewriter adds (exported as BudgetGlobal, so the host can zero it from any
// goroutine to stop the guest soon). A unit is about 64 bytes of code (1.5
// ns of a tight loop), and every charge is weighted by the code it covers:
//
//   - a call to a function that loops, calls, uses bulk operations, is
//     larger than smallLeaf bytes, or whose address is taken, costs the
//     function's size (and that of the small leaves it calls) at its entry.
//     Small leaf functions are free: their callers pay for them;
//   - a loop iteration costs its body's size (nested loops charge
//     themselves, called small leaves are added) at the loop head. If every
//     iteration makes a call that is charged or is a host call (every host
//     function is a preemption point), the loop head only subtracts: the
//     call tests the budget, and the loop has no call site of its own;
//   - bulk memory and table operations (memory.fill, memory.copy,
//     memory.init, table.fill, table.copy, table.init, table.grow) cost one
//     unit per 16 bytes or entries, charged before the operation;
//     memory.fill and memory.copy of more than bulkChunk bytes run in
//     chunks with a charge between chunks, and a passive data segment (what
//     memory.init copies) may have at most maxPassiveData bytes, so no one
//     instruction runs long without a preemption point;
//   - table.grow cannot take a table beyond maxTableSize entries.
//
// When the budget reaches zero the guest calls preempt, which refills it.
// Every execution that does not end must iterate a loop or call without
// bound (the call stack is bounded), so it reaches preempt; between two
// preemption points a guest runs at most Budget units, about 100 µs, plus
// the code between a charge and the next test.
//
// The rewriter validates what it relies on before it transforms anything:
// section order and sizes, every index into the type, function, global and
// local spaces (so that an index that was invalid in the guest's module
// cannot become valid by pointing at something the rewriter added — the
// budget global, the added locals, the preempt import), and every
// instruction's encoding. It is total: every input gives a module or an
// error. Its output is validated again by the runtime, as any module is.
package preempt

import (
	"fmt"
)

const (
	// BudgetGlobal is the export name of the budget global.
	BudgetGlobal = "__occlum_budget"
	// ScratchPrefix and a number name the exported scratch globals (see
	// code.go); SaveScratch keeps them across guest code the host runs
	// inside a preemption call.
	ScratchPrefix = "__occlum_scratch"
	// ImportModule and ImportFunc name the inserted import, of type () -> ().
	ImportModule = "occlum_sfi"
	ImportFunc   = "preempt"
	// Budget is the number of units between two preemption points, about
	// 100 µs of a tight loop. The host refills the budget in preempt.
	Budget = 1 << 16

	// bulkShift: a bulk operation of n bytes or entries costs n>>bulkShift
	// units.
	bulkShift = 4
	// bulkChunk is the largest memory.fill or memory.copy that runs in one
	// piece (about 50 µs).
	bulkChunk = 1 << 20
	// smallLeaf is the code size (bytes) up to which a function without
	// loops and calls is not charged.
	smallLeaf = 256
	// maxTableSize bounds every table (entries): a guest must not make
	// the LibOS allocate tables of unbounded size. A table may declare a
	// larger maximum (Go's toolchain declares none): table.grow beyond
	// this fails as it would beyond a declared maximum.
	maxTableSize = 1 << 20
	// maxPassiveData bounds a passive data segment (memory.init of it is
	// one uninterrupted copy, about 2 ms at this size).
	maxPassiveData = 16 << 20
	// maxGrowth bounds the rewritten module: at most maxGrowth times the
	// guest's plus growthSlack bytes (compiling costs time and memory in
	// proportion).
	maxGrowth   = 4
	growthSlack = 1 << 20
)

// Section ids.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
)

// sectionRank is each known section's place in the required order.
var sectionRank = [...]int{
	secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5, secGlobal: 6,
	secExport: 7, secStart: 8, secElement: 9, secDataCount: 10, secCode: 11, secData: 12,
}

type section struct {
	id   byte
	body []byte
}

// funcType is a function type: its parameter types and result count.
type funcType struct {
	params  []byte
	results int
}

// module is what the rewriter learns about a module before it rewrites it.
type module struct {
	sections    []section
	types       []funcType
	importFuncs uint32   // imported functions
	globals     uint32   // imported and defined globals
	funcTypes   []uint32 // type of every function, imported then defined
	tables      []byte   // element type of every table, imported then defined
}

// funcs is the size of the guest's function index space.
func (m *module) funcs() uint32 { return uint32(len(m.funcTypes)) }

// Report is what the rewrite learned about a module that its users need.
type Report struct {
	// WritesTables: some code changes a table (table.set, table.init,
	// table.copy, table.grow or table.fill), so what a table index
	// refers to may change while the program runs.
	WritesTables bool
}

// Instrument returns bin rewritten as the package comment describes, or an
// error naming what is wrong with bin.
func Instrument(bin []byte) (out []byte, err error) {
	out, _, err = InstrumentReport(bin)
	return out, err
}

// InstrumentReport is Instrument that also reports on the module.
func InstrumentReport(bin []byte) (out []byte, rep Report, err error) {
	if len(bin) < 8 || string(bin[:4]) != "\x00asm" || string(bin[4:8]) != "\x01\x00\x00\x00" {
		return nil, Report{}, fmt.Errorf("not a WebAssembly version 1 binary")
	}
	m, err := decode(bin)
	if err != nil {
		return nil, Report{}, err
	}
	out, rep, err = m.rewrite(bin[:8])
	if err == nil && len(out) > maxGrowth*len(bin)+growthSlack {
		return nil, Report{}, fmt.Errorf("instrumented, it would be %d bytes, more than %d times its %d", len(out), maxGrowth, len(bin))
	}
	return out, rep, err
}

// decode splits bin into sections, checks their order, and reads the
// index spaces (types, imports, functions, tables, memories, globals).
func decode(bin []byte) (*module, error) {
	m := &module{}
	r := &reader{b: bin, pos: 8}
	last := 0
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
		body, err := r.bytes(uint64(size))
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
		if id != secCustom {
			if int(id) >= len(sectionRank) {
				return nil, fmt.Errorf("unknown section %d", id)
			}
			if sectionRank[id] <= last {
				return nil, fmt.Errorf("section %d out of order or repeated", id)
			}
			last = sectionRank[id]
		}
		m.sections = append(m.sections, section{id, body})
	}
	var nDefined, nCode uint32
	hasCode := false
	for _, s := range m.sections {
		var err error
		r := &reader{b: s.body}
		switch s.id {
		case secCustom:
			_, err = r.name()
		case secType:
			err = m.readTypes(r)
		case secImport:
			err = m.readImports(r)
		case secFunction:
			var n uint32
			if n, err = r.u32(); err == nil {
				nDefined = n
				for i := uint32(0); i < n && err == nil; i++ {
					var t uint32
					if t, err = r.u32(); err == nil {
						if t >= uint32(len(m.types)) {
							err = fmt.Errorf("function %d has type %d, out of range", i, t)
						}
						m.funcTypes = append(m.funcTypes, t)
					}
				}
			}
		case secTable:
			err = readVector(r, func(i uint32) error { return m.readTable(r, i) })
		case secMemory:
			err = readVector(r, func(uint32) error {
				_, _, _, err := r.limits()
				return err
			})
		case secGlobal:
			var n uint32
			if n, err = r.u32(); err == nil {
				m.globals += n
				if m.globals < n {
					err = fmt.Errorf("too many globals")
				}
			}
		case secCode:
			hasCode = true
			nCode, err = r.u32()
		case secDataCount:
			_, err = r.u32()
		}
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", s.id, err)
		}
		if (s.id >= secType && s.id <= secMemory || s.id == secDataCount) && !r.done() {
			return nil, fmt.Errorf("section %d: %d bytes after its contents", s.id, len(r.b)-r.pos)
		}
	}
	if nDefined != nCode || (nDefined > 0 && !hasCode) {
		return nil, fmt.Errorf("%d functions declared but %d bodies", nDefined, nCode)
	}
	return m, nil
}

func readVector(r *reader, item func(i uint32) error) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if err := item(i); err != nil {
			return err
		}
	}
	return nil
}

func (m *module) readTypes(r *reader) error {
	return readVector(r, func(i uint32) error {
		form, err := r.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return fmt.Errorf("type %d: unsupported form 0x%x", i, form)
		}
		var t funcType
		err = readVector(r, func(uint32) error {
			v, err := r.valType()
			t.params = append(t.params, v)
			return err
		})
		if err == nil {
			err = readVector(r, func(uint32) error {
				_, err := r.valType()
				t.results++
				return err
			})
		}
		m.types = append(m.types, t)
		return err
	})
}

func (m *module) readImports(r *reader) error {
	return readVector(r, func(i uint32) error {
		mod, err := r.name()
		if err != nil {
			return err
		}
		if mod == ImportModule {
			return fmt.Errorf("imports from %q, which is reserved for the loader", ImportModule)
		}
		if _, err := r.name(); err != nil {
			return err
		}
		kind, err := r.byte()
		if err != nil {
			return err
		}
		switch kind {
		case 0x00: // function
			t, err := r.u32()
			if err != nil {
				return err
			}
			if t >= uint32(len(m.types)) {
				return fmt.Errorf("import %d has type %d, out of range", i, t)
			}
			if len(m.funcTypes) != int(m.importFuncs) {
				return fmt.Errorf("import %d: functions imported after the function section", i)
			}
			m.funcTypes = append(m.funcTypes, t)
			m.importFuncs++
		case 0x01: // table
			return m.readTable(r, i)
		case 0x02: // memory
			_, _, _, err := r.limits()
			return err
		case 0x03: // global
			if _, err := r.valType(); err != nil {
				return err
			}
			if _, err := r.byte(); err != nil {
				return err
			}
			m.globals++
		default:
			return fmt.Errorf("import %d: unknown kind 0x%x", i, kind)
		}
		return nil
	})
}

// readTable reads a table type and refuses a table larger than
// maxTableSize from the start (table.grow is bounded by the rewrite).
func (m *module) readTable(r *reader, i uint32) error {
	t, err := r.valType()
	if err != nil {
		return err
	}
	if t != typeFuncref && t != typeExternref {
		return fmt.Errorf("table %d: element type 0x%x is not a reference type", i, t)
	}
	min, _, _, err := r.limits()
	if err != nil {
		return err
	}
	if min > maxTableSize {
		return fmt.Errorf("table %d starts with %d entries, more than the %d a table may have", i, min, maxTableSize)
	}
	m.tables = append(m.tables, t)
	return nil
}

// rewrite emits the instrumented module.
func (m *module) rewrite(header []byte) ([]byte, Report, error) {
	w := &rewriter{m: m}
	// Added types: () -> () for preempt, (i32,i32,i32) -> () for the bulk
	// helpers. Appended, so no existing type index changes; every original
	// type index was checked to be below len(m.types).
	w.typeVoid = uint32(len(m.types))
	w.typeBulk = w.typeVoid + 1
	w.preempt = m.importFuncs
	w.budget = m.globals
	w.fillHelper = m.funcs() + 1 // after the shift by the preempt import
	w.copyHelper = m.funcs() + 2

	out := append([]byte(nil), header...)
	have := map[byte]bool{}
	for _, s := range m.sections {
		have[s.id] = true
	}
	// Sections the module lacks but the rewrite adds are emitted just
	// before the first section that must follow them.
	added := map[byte]bool{}
	addMissing := func(before int) {
		for _, id := range []byte{secType, secImport, secGlobal, secExport} {
			if !have[id] && !added[id] && sectionRank[id] < before {
				out = appendSection(out, id, w.newSection(id))
				added[id] = true
			}
		}
	}
	// The element, global and code sections are rewritten first: the
	// code rewrite needs to know which functions' addresses are taken
	// (element segments and global initializers name them), and the
	// sections before it what the code rewrite adds. The global section
	// is rewritten twice: first to learn the functions it names, then
	// again with the scratch globals the code rewrite added.
	w.addrTaken = make([]bool, m.funcs())
	w.grown = map[uint32]bool{}
	done := map[byte][]byte{}
	for _, id := range []byte{secElement, secGlobal, secCode, secGlobal} {
		for _, s := range m.sections {
			if s.id != id {
				continue
			}
			var body []byte
			var err error
			switch id {
			case secElement:
				body, err = w.elements(s.body)
			case secGlobal:
				body, err = w.globalSection(s.body)
			case secCode:
				body, err = w.code(s.body)
			}
			if err != nil {
				return nil, Report{}, fmt.Errorf("section %d: %w", s.id, err)
			}
			done[id] = body
		}
	}
	for _, s := range m.sections {
		if s.id != secCustom {
			addMissing(sectionRank[s.id])
		}
		var body []byte
		var err error
		switch s.id {
		case secCustom:
			// Only the name section is kept: DWARF's code offsets would be
			// stale, and the others (producers, target_features) mean
			// nothing to the runtime (wazero v1.12 even refuses an empty
			// one at the end of a module).
			name, _ := (&reader{b: s.body}).name()
			if name != "name" {
				continue
			}
			if body = w.names(s.body); body == nil {
				continue
			}
		case secType:
			body, err = appendToVector(s.body, w.newTypes()...)
		case secImport:
			body, err = appendToVector(s.body, w.newImport())
		case secFunction:
			body, err = appendToVector(s.body, w.newFunctions()...)
		case secElement, secGlobal, secCode:
			body = done[s.id]
		case secExport:
			body, err = w.exports(s.body)
		case secStart:
			body, err = w.start(s.body)
		case secData:
			body, err = w.data(s.body)
		default:
			body = s.body
		}
		if err != nil {
			return nil, Report{}, fmt.Errorf("section %d: %w", s.id, err)
		}
		out = appendSection(out, s.id, body)
	}
	addMissing(len(sectionRank) + 1)
	return out, Report{WritesTables: w.writesTables}, nil
}

// appendToVector returns a vector section body with items appended.
func appendToVector(body []byte, items ...[]byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if uint64(n)+uint64(len(items)) > 1<<32-1 {
		return nil, fmt.Errorf("too many entries")
	}
	out := appendU32(nil, n+uint32(len(items)))
	out = append(out, body[r.pos:]...)
	for _, it := range items {
		out = append(out, it...)
	}
	return out, nil
}
