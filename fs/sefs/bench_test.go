package sefs_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
)

// In-process figures of the layer alone (no LibOS, no guest); bench/
// measures it from a guest beside native and gocryptfs.

const benchFile = 256 << 20

func benchLayer(b *testing.B) (*layer, vfs.FileImpl) {
	l := makeLayer(b, sefs.Options{})
	in, _ := l.root().Create("f", 0o644)
	f, _ := in.Open(vfs.O_RDWR)
	b.Cleanup(func() { f.Close() })
	return l, f
}

func fill(b *testing.B, f vfs.FileImpl, size int64) {
	buf := make([]byte, 64<<10)
	rand.Read(buf)
	for off := int64(0); off < size; off += int64(len(buf)) {
		if _, e := f.WriteAt(buf, off); e != 0 {
			b.Fatal(e)
		}
	}
}

func BenchmarkSeqWrite(b *testing.B) {
	_, f := benchLayer(b)
	b.SetBytes(benchFile)
	for i := 0; i < b.N; i++ {
		fill(b, f, benchFile)
	}
	b.StopTimer()
	f.Sync(false)
}

func BenchmarkSeqRead(b *testing.B) {
	l, f := benchLayer(b)
	fill(b, f, benchFile)
	l.fs.Sync()
	buf := make([]byte, 64<<10)
	b.SetBytes(benchFile)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for off := int64(0); off < benchFile; off += int64(len(buf)) {
			if _, e := f.ReadAt(buf, off); e != 0 {
				b.Fatal(e)
			}
		}
	}
}

func BenchmarkRandRead4K(b *testing.B) {
	l, f := benchLayer(b)
	fill(b, f, benchFile)
	l.fs.Sync()
	buf := make([]byte, 4096)
	rng := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, e := f.ReadAt(buf, rng.Int63n(benchFile/4096)*4096); e != 0 {
			b.Fatal(e)
		}
	}
}

func BenchmarkRandWrite4K(b *testing.B) {
	l, f := benchLayer(b)
	fill(b, f, benchFile)
	l.fs.Sync()
	buf := make([]byte, 4096)
	rng := rand.New(rand.NewSource(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, e := f.WriteAt(buf, rng.Int63n(benchFile/4096)*4096); e != 0 {
			b.Fatal(e)
		}
	}
	l.fs.Sync()
}

func BenchmarkCreate10k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		l := makeLayer(b, sefs.Options{})
		data := make([]byte, 1000)
		for k := 0; k < 10000; k++ {
			in, e := l.root().Create(fmt.Sprintf("f%d", k), 0o644)
			if e != 0 {
				b.Fatal(e)
			}
			f, _ := in.Open(vfs.O_WRONLY)
			f.WriteAt(data, 0)
			f.Close()
		}
		l.fs.Sync()
	}
}

// BenchmarkPack packs the tree named by $SEFS_PACK_SRC (make bench makes
// a 1 GiB one).
func BenchmarkPack(b *testing.B) {
	src := os.Getenv("SEFS_PACK_SRC")
	if src == "" {
		b.Skip("set SEFS_PACK_SRC to a directory to pack")
	}
	for _, mode := range []sefs.Mode{sefs.Integrity, sefs.Encrypted} {
		b.Run(mode.String(), func(b *testing.B) {
			var key []byte
			if mode == sefs.Encrypted {
				key = testKey(b)
			}
			for i := 0; i < b.N; i++ {
				dst := filepath.Join(b.TempDir(), "__ROOT")
				st, _ := sefs.NewDirStorage(dst, true)
				_, stats, err := sefs.Pack(src, st, sefs.PackOptions{Mode: mode, Key: key})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(stats.Bytes)
			}
		})
	}
}

// BenchmarkSeqReadImage: 64 KiB reads of an integrity-only image (the
// default image layer: a SHA-256 per block, no decryption).
func BenchmarkSeqReadImage(b *testing.B) {
	src := b.TempDir()
	f, err := os.Create(filepath.Join(src, "big"))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	rand.Read(buf)
	for off := 0; off < benchFile; off += len(buf) {
		f.Write(buf)
	}
	f.Close()
	dst := b.TempDir()
	st, _ := sefs.NewDirStorage(dst, false)
	root, _, err := sefs.Pack(src, st, sefs.PackOptions{Mode: sefs.Integrity})
	if err != nil {
		b.Fatal(err)
	}
	fs, err := sefs.Mount(st, sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: &root})
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	in, e := fs.Root().Lookup("big")
	if e != 0 {
		b.Fatal(e)
	}
	fi, _ := in.Open(vfs.O_RDONLY)
	defer fi.Close()
	b.SetBytes(benchFile)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for off := int64(0); off < benchFile; off += int64(len(buf)) {
			if _, e := fi.ReadAt(buf, off); e != 0 {
				b.Fatal(e)
			}
		}
	}
}

// BenchmarkRewriteAfterTruncate: a committed file cut to nothing and
// written again (open with O_TRUNC of an existing file): each block's
// new version must avoid the slot of its committed one, which the
// committed tree says (its nodes read once per file, not once per block).
func BenchmarkRewriteAfterTruncate(b *testing.B) {
	l, f := benchLayer(b)
	const size = 64 << 20
	fill(b, f, size)
	l.fs.Sync()
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: 0}); e != 0 {
			b.Fatal(e)
		}
		fill(b, f, size)
		b.StopTimer()
		l.fs.Sync()
		b.StartTimer()
	}
}
