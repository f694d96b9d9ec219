package sefs

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
)

// What a host controls of a layer reaches three parsers: the superblock,
// inode records (authenticated first in encrypted mode, hashed into the
// pinned root in integrity mode, so malformed ones come only from a bug or
// a forged image — still never a panic), and the tree they form.

func seedRecords() [][]byte {
	fs := &FileSystem{inodes: map[uint64]*inode{}}
	dir := &inode{fs: fs, ino: 1, typ: vfs.TypeDirectory, perm: 0o755, nlink: 3,
		children: map[string]uint64{"a": 2, "lnk": 3, "sub": 4}}
	file := &inode{fs: fs, ino: 2, typ: vfs.TypeRegular, perm: 0o644, nlink: 1, size: 12345, depth: 1, root: [32]byte{1}}
	lnk := &inode{fs: fs, ino: 3, typ: vfs.TypeSymlink, perm: 0o777, nlink: 1, target: "a"}
	sub := &inode{fs: fs, ino: 4, typ: vfs.TypeDirectory, perm: 0o700, nlink: 2, children: map[string]uint64{}}
	var out [][]byte
	for _, in := range []*inode{dir, file, lnk, sub} {
		out = append(out, in.encode(in.depth, in.root))
	}
	return out
}

func FuzzDecodeRecord(f *testing.F) {
	for _, r := range seedRecords() {
		f.Add(r)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := &FileSystem{inodes: map[uint64]*inode{}}
		in, err := decodeRecord(fs, 7, data)
		if err != nil {
			return
		}
		// What decodes encodes back to the same bytes.
		if again := in.encode(in.depth, in.root); !bytes.Equal(again, data) {
			t.Fatalf("decode/encode differ:\n%x\n%x", data, again)
		}
	})
}

func FuzzDecodeSuper(f *testing.F) {
	k := &keys{mode: Integrity}
	sb := superblock{mode: Integrity, version: 3, nextIno: 9}
	f.Add(sb.encode(k))
	sb.mode = Encrypted
	f.Add(sb.encode(k))
	f.Add([]byte(superMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeSuper(data)
		if err != nil {
			return
		}
		if again := append(s.body(), s.mac[:]...); !bytes.Equal(again, data) {
			t.Fatalf("decode/encode differ")
		}
	})
}

// FuzzTree: records, each decoded, then checked as one tree (link counts,
// parents, cycles, missing children); a bad tree is an error, never a
// panic or a hang. Input: a sequence of (u16 length, record).
func FuzzTree(f *testing.F) {
	var seed []byte
	for _, r := range seedRecords() {
		seed = binary.BigEndian.AppendUint16(seed, uint16(len(r)))
		seed = append(seed, r...)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := &FileSystem{inodes: map[uint64]*inode{}, removed: map[uint64]*inode{},
			touched: map[uint64]*inode{}, dirtyG: map[uint64]bool{}}
		fs.sb.nextIno = math.MaxUint64
		for ino := uint64(1); len(data) >= 2 && ino < 64; ino++ {
			n := int(binary.BigEndian.Uint16(data))
			data = data[2:]
			if n > len(data) {
				return
			}
			if in, err := decodeRecord(fs, ino, data[:n]); err == nil {
				fs.inodes[ino] = in
			}
			data = data[n:]
		}
		if err := fs.checkTree(); err != nil {
			return
		}
		// A tree that passed: every directory reaches the root.
		for _, in := range fs.inodes {
			if in.typ == vfs.TypeDirectory && in.nlink > 0 {
				p, steps := in, 0
				for p.ino != rootIno {
					if p = fs.inodes[p.parent]; p == nil || steps > len(fs.inodes) {
						t.Fatalf("directory %d does not reach the root", in.ino)
					}
					steps++
				}
			}
		}
	})
}
