package sefs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/occlumgo/occlum/core/vfs"
)

// An inode record, before sealing:
//
//	format (1) type (1) perm (4) uid (4) gid (4) nlink (8) size (8)
//	atime (8) mtime (8) ctime (8) gen (8) depth (1) root (32)
//	symlink: target length (4) target
//	directory: count (4), then sorted by name: name length (2) name ino (8)
//
// Records are metadata a guest controls (names, targets) sealed by the
// layer; a record that opens but does not parse is still refused.

const recordHead = 1 + 1 + 4 + 4 + 4 + 8*6 + 1 + 32

func (in *inode) encode(depth uint8, root [32]byte) []byte {
	b := make([]byte, 0, recordHead+64)
	b = append(b, recordFormat, byte(in.typ))
	b = binary.BigEndian.AppendUint32(b, in.perm)
	b = binary.BigEndian.AppendUint32(b, in.uid)
	b = binary.BigEndian.AppendUint32(b, in.gid)
	for _, v := range []uint64{in.nlink, uint64(in.size), uint64(in.atime), uint64(in.mtime), uint64(in.ctime), in.gen} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	b = append(b, depth)
	b = append(b, root[:]...)
	switch in.typ {
	case vfs.TypeSymlink:
		b = binary.BigEndian.AppendUint32(b, uint32(len(in.target)))
		b = append(b, in.target...)
	case vfs.TypeDirectory:
		names := make([]string, 0, len(in.children))
		for n := range in.children {
			names = append(names, n)
		}
		sort.Strings(names)
		b = binary.BigEndian.AppendUint32(b, uint32(len(names)))
		for _, n := range names {
			b = binary.BigEndian.AppendUint16(b, uint16(len(n)))
			b = append(b, n...)
			b = binary.BigEndian.AppendUint64(b, in.children[n])
		}
	}
	return b
}

var errRecord = errors.New("malformed inode record")

func decodeRecord(fs *FileSystem, ino uint64, b []byte) (*inode, error) {
	if len(b) < recordHead || b[0] != recordFormat {
		return nil, errRecord
	}
	in := &inode{fs: fs, ino: ino, typ: vfs.FileType(b[1]), truncFrom: math.MaxUint64}
	switch in.typ {
	case vfs.TypeRegular, vfs.TypeDirectory, vfs.TypeSymlink:
	default:
		return nil, fmt.Errorf("%w: type %d", errRecord, b[1])
	}
	if in.perm = binary.BigEndian.Uint32(b[2:]); in.perm&^0o7777 != 0 {
		return nil, fmt.Errorf("%w: mode %#o", errRecord, in.perm)
	}
	in.uid = binary.BigEndian.Uint32(b[6:])
	in.gid = binary.BigEndian.Uint32(b[10:])
	p := 14
	v := make([]uint64, 6)
	for i := range v {
		v[i] = binary.BigEndian.Uint64(b[p:])
		p += 8
	}
	in.nlink, in.size, in.atime, in.mtime, in.ctime, in.gen = v[0], int64(v[1]), int64(v[2]), int64(v[3]), int64(v[4]), v[5]
	if in.size < 0 || (in.typ != vfs.TypeRegular && in.size != 0) {
		return nil, fmt.Errorf("%w: size %d", errRecord, in.size)
	}
	in.depth = b[p]
	copy(in.root[:], b[p+1:p+33])
	p += 33
	if in.depth > maxDepth || (in.typ != vfs.TypeRegular && in.depth != 0) {
		return nil, fmt.Errorf("%w: tree depth %d", errRecord, in.depth)
	}
	rest := b[p:]
	need := func(n int) error {
		if len(rest) < n {
			return errRecord
		}
		return nil
	}
	switch in.typ {
	case vfs.TypeSymlink:
		if err := need(4); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if err := need(n); err != nil || n == 0 || n >= vfs.MaxPathLen {
			return nil, errRecord
		}
		in.target = string(rest[:n])
		rest = rest[n:]
	case vfs.TypeDirectory:
		if err := need(4); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		in.children = make(map[string]uint64, min(n, 1<<16))
		prev := ""
		for i := 0; i < n; i++ {
			if err := need(2); err != nil {
				return nil, err
			}
			l := int(binary.BigEndian.Uint16(rest))
			rest = rest[2:]
			if err := need(l + 8); err != nil {
				return nil, err
			}
			name := string(rest[:l])
			if !validName(name) || (i > 0 && name <= prev) {
				return nil, fmt.Errorf("%w: directory entry %q", errRecord, name)
			}
			in.children[name] = binary.BigEndian.Uint64(rest[l:])
			rest = rest[l+8:]
			prev = name
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after it", errRecord, len(rest))
	}
	return in, nil
}

func validName(n string) bool {
	if n == "" || n == "." || n == ".." || len(n) > vfs.MaxNameLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] == '/' || n[i] == 0 {
			return false
		}
	}
	return true
}
