package libocclum

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Member is one object file of an archive.
type Member struct {
	Name string // file name inside the archive, e.g. "getpid.o"
	Data []byte // a wasm32 relocatable object
}

// WriteArchive returns a GNU-format ar archive of the members with the symbol
// index wasm-ld needs (it refuses archives without one). The index lists the
// global symbols each member defines, read from the object's "linking"
// section. The output is deterministic: no dates, owners or modes from the
// machine.
//
// Writing the archive here, not with llvm-ar, keeps `make build` to the
// packages `make deps` installs (clang and lld bring no archiver that knows
// wasm objects: GNU ar cannot index them).
func WriteArchive(members []Member) ([]byte, error) {
	type entry struct {
		member int
		name   string
	}
	var syms []entry
	seen := map[string]string{}
	for i, m := range members {
		names, err := DefinedSymbols(m.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", m.Name, err)
		}
		for _, n := range names {
			if prev, dup := seen[n]; dup {
				return nil, fmt.Errorf("symbol %s is defined by both %s and %s", n, prev, m.Name)
			}
			seen[n] = m.Name
			syms = append(syms, entry{i, n})
		}
	}

	// Long member names go in the "//" table; short ones end with '/'.
	var longNames bytes.Buffer
	headerNames := make([]string, len(members))
	for i, m := range members {
		if len(m.Name)+1 <= 16 {
			headerNames[i] = m.Name + "/"
			continue
		}
		headerNames[i] = "/" + strconv.Itoa(longNames.Len())
		longNames.WriteString(m.Name + "/\n")
	}

	// Layout: magic, symbol table, long names, members (each 2-aligned).
	var symtab bytes.Buffer
	binary.Write(&symtab, binary.BigEndian, uint32(len(syms)))
	offsetAt := symtab.Len()
	symtab.Write(make([]byte, 4*len(syms)))
	for _, s := range syms {
		symtab.WriteString(s.name)
		symtab.WriteByte(0)
	}
	pad := func(n int) int { return n + n%2 }
	pos := 8 + 60 + pad(symtab.Len())
	if longNames.Len() > 0 {
		pos += 60 + pad(longNames.Len())
	}
	memberOffsets := make([]int, len(members))
	for i, m := range members {
		memberOffsets[i] = pos
		pos += 60 + pad(len(m.Data))
	}
	tab := symtab.Bytes()
	for i, s := range syms {
		binary.BigEndian.PutUint32(tab[offsetAt+4*i:], uint32(memberOffsets[s.member]))
	}

	var out bytes.Buffer
	out.WriteString("!<arch>\n")
	writeMember := func(name string, data []byte) error {
		hdr := fmt.Sprintf("%-16s%-12s%-6s%-6s%-8s%-10d`\n", name, "0", "0", "0", "644", len(data))
		if len(hdr) != 60 {
			return fmt.Errorf("archive member %q: header does not fit", name)
		}
		out.WriteString(hdr)
		out.Write(data)
		if len(data)%2 == 1 {
			out.WriteByte('\n')
		}
		return nil
	}
	if err := writeMember("/", tab); err != nil {
		return nil, err
	}
	if longNames.Len() > 0 {
		if err := writeMember("//", longNames.Bytes()); err != nil {
			return nil, err
		}
	}
	for i, m := range members {
		if out.Len() != memberOffsets[i] {
			return nil, errors.New("archive layout mismatch")
		}
		if err := writeMember(headerNames[i], m.Data); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// Symbol kinds and flags of the wasm object "linking" section
// (https://github.com/WebAssembly/tool-conventions/blob/main/Linking.md).
const (
	symFunction = 0
	symData     = 1
	symGlobal   = 2
	symSection  = 3
	symTag      = 4
	symTable    = 5

	flagLocal        = 0x02
	flagUndefined    = 0x10
	flagExplicitName = 0x40

	linkingSymbolTable = 8
)

// DefinedSymbols lists the global symbols a wasm32 relocatable object
// defines, sorted: what an archive index names for it.
func DefinedSymbols(obj []byte) ([]string, error) {
	if len(obj) < 8 || !bytes.Equal(obj[:4], []byte("\x00asm")) {
		return nil, errors.New("not a wasm object")
	}
	r := &reader{b: obj, off: 8}
	for r.off < len(r.b) {
		id := r.byte()
		size := r.uleb()
		if r.err != nil {
			return nil, r.err
		}
		end := r.off + int(size)
		if end > len(r.b) || end < r.off {
			return nil, errors.New("truncated section")
		}
		if id == 0 {
			sec := &reader{b: r.b[:end], off: r.off}
			name := sec.name()
			if sec.err == nil && name == "linking" {
				return linkingSymbols(sec)
			}
		}
		r.off = end
	}
	return nil, errors.New("no linking section: not a relocatable object (compile with -c)")
}

func linkingSymbols(r *reader) ([]string, error) {
	if v := r.uleb(); v != 2 {
		return nil, fmt.Errorf("linking section version %d, want 2", v)
	}
	var names []string
	for r.off < len(r.b) && r.err == nil {
		typ := r.byte()
		size := r.uleb()
		end := r.off + int(size)
		if r.err != nil || end > len(r.b) || end < r.off {
			return nil, errors.New("truncated linking subsection")
		}
		if typ != linkingSymbolTable {
			r.off = end
			continue
		}
		count := r.uleb()
		for i := uint64(0); i < count && r.err == nil; i++ {
			kind := r.byte()
			flags := r.uleb()
			defined := flags&flagUndefined == 0
			var name string
			switch kind {
			case symFunction, symGlobal, symTag, symTable:
				r.uleb() // index
				if defined || flags&flagExplicitName != 0 {
					name = r.name()
				}
			case symData:
				name = r.name()
				if defined {
					r.uleb() // segment
					r.uleb() // offset
					r.uleb() // size
				}
			case symSection:
				r.uleb()
				continue
			default:
				return nil, fmt.Errorf("unknown symbol kind %d", kind)
			}
			if defined && flags&flagLocal == 0 && name != "" {
				names = append(names, name)
			}
		}
		r.off = end
	}
	if r.err != nil {
		return nil, r.err
	}
	sort.Strings(names)
	return names, nil
}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.err = errors.New("truncated object")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("bad LEB128")
	return 0
}

func (r *reader) name() string {
	n := int(r.uleb())
	if r.err != nil {
		return ""
	}
	if n < 0 || r.off+n > len(r.b) {
		r.err = errors.New("truncated name")
		return ""
	}
	s := string(r.b[r.off : r.off+n])
	r.off += n
	return s
}
