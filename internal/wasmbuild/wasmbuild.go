// Package wasmbuild encodes small WebAssembly modules for tests: hostile or
// malformed guests (foreign imports, wild pointers, traps) that a C compiler
// would not produce on purpose.
package wasmbuild

// Value types.
const (
	I32 byte = 0x7f
	I64 byte = 0x7e
)

// Instructions used by tests.
var (
	Unreachable = []byte{0x00}
	Drop        = []byte{0x1a}
	End         = []byte{0x0b}
)

// I32Const encodes i32.const v.
func I32Const(v int32) []byte { return append([]byte{0x41}, sleb(int64(v))...) }

// I64Const encodes i64.const v.
func I64Const(v int64) []byte { return append([]byte{0x42}, sleb(v)...) }

// Call encodes call idx.
func Call(idx uint32) []byte { return append([]byte{0x10}, uleb(uint64(idx))...) }

// I32Load encodes i32.load with alignment 2 and offset 0.
func I32Load() []byte { return []byte{0x28, 0x02, 0x00} }

// Loop encodes an infinite loop: loop br 0 end.
func Loop() []byte { return []byte{0x03, 0x40, 0x0c, 0x00, 0x0b} }

// Func is a function type.
type Func struct {
	Params, Results []byte
}

// Import is an imported function.
type Import struct {
	Module, Name string
	Type         Func
}

// Module describes a module with imports, one exported function (_start
// unless StartName is set) whose body is Body, and a memory.
type Module struct {
	Imports      []Import
	Body         []byte // instructions of the exported function, without End
	StartName    string // default "_start"
	StartType    *Func  // default () -> ()
	MemoryPages  uint32
	NoMemory     bool
	MemoryName   string // default "memory"
	ImportMemory bool
	// Data are active data segments: offset -> bytes.
	Data map[uint32][]byte
}

// Encode returns the binary module.
func (m Module) Encode() []byte {
	out := []byte{0x00, 'a', 's', 'm', 1, 0, 0, 0}
	var types [][]byte
	typeIdx := func(f Func) uint32 {
		enc := append([]byte{0x60}, vec(f.Params)...)
		enc = append(enc, vec(f.Results)...)
		for i, t := range types {
			if string(t) == string(enc) {
				return uint32(i)
			}
		}
		types = append(types, enc)
		return uint32(len(types) - 1)
	}
	var imports [][]byte
	for _, im := range m.Imports {
		e := append(name(im.Module), name(im.Name)...)
		e = append(e, 0x00)
		e = append(e, uleb(uint64(typeIdx(im.Type)))...)
		imports = append(imports, e)
	}
	if m.ImportMemory {
		e := append(name("env"), name("memory")...)
		e = append(e, 0x02, 0x00)
		e = append(e, uleb(uint64(m.MemoryPages))...)
		imports = append(imports, e)
	}
	st := Func{}
	if m.StartType != nil {
		st = *m.StartType
	}
	startType := typeIdx(st)

	out = section(out, 1, vecOf(types))
	if len(imports) > 0 {
		out = section(out, 2, vecOf(imports))
	}
	out = section(out, 3, vecOf([][]byte{uleb(uint64(startType))}))
	if !m.NoMemory && !m.ImportMemory {
		out = section(out, 5, vecOf([][]byte{append([]byte{0x00}, uleb(uint64(m.MemoryPages))...)}))
	}
	startName := m.StartName
	if startName == "" {
		startName = "_start"
	}
	exports := [][]byte{append(append(name(startName), 0x00), uleb(uint64(len(m.Imports)))...)}
	if !m.NoMemory {
		mn := m.MemoryName
		if mn == "" {
			mn = "memory"
		}
		exports = append(exports, append(append(name(mn), 0x02), 0x00))
	}
	out = section(out, 7, vecOf(exports))
	body := append([]byte{0x00}, m.Body...) // no locals
	body = append(body, End...)
	out = section(out, 10, vecOf([][]byte{append(uleb(uint64(len(body))), body...)}))
	if len(m.Data) > 0 {
		var segs [][]byte
		for off, b := range m.Data {
			seg := append([]byte{0x00}, I32Const(int32(off))...)
			seg = append(seg, End...)
			segs = append(segs, append(seg, vec(b)...))
		}
		out = section(out, 11, vecOf(segs))
	}
	return out
}

// I32Shru encodes i32.shr_u.
func I32Shru() []byte { return []byte{0x76} }

// I32And encodes i32.and.
func I32And() []byte { return []byte{0x71} }

func section(out []byte, id byte, content []byte) []byte {
	out = append(out, id)
	out = append(out, uleb(uint64(len(content)))...)
	return append(out, content...)
}

func vec(b []byte) []byte { return append(uleb(uint64(len(b))), b...) }

func vecOf(items [][]byte) []byte {
	out := uleb(uint64(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

func name(s string) []byte { return vec([]byte(s)) }

func uleb(v uint64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			out = append(out, b|0x80)
			continue
		}
		return append(out, b)
	}
}

func sleb(v int64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

// I32Store encodes i32.store with alignment 2 and offset 0.
func I32Store() []byte { return []byte{0x36, 0x02, 0x00} }

// I32Add encodes i32.add.
func I32Add() []byte { return []byte{0x6a} }

// I32LtU encodes i32.lt_u.
func I32LtU() []byte { return []byte{0x49} }

// BrIf encodes br_if depth.
func BrIf(depth uint32) []byte { return append([]byte{0x0d}, uleb(uint64(depth))...) }
