package sefs_test

import (
	"crypto/rand"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/sefs"
)

func testKey(t testing.TB) []byte {
	k := make([]byte, sefs.KeySize)
	rand.Read(k)
	return k
}

// newLayer makes an encrypted layer in a fresh directory.
func newLayer(t testing.TB, opts sefs.Options) (*sefs.FileSystem, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sefs.NewDirStorage(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Mode == 0 {
		opts.Mode = sefs.Encrypted
	}
	if opts.Mode == sefs.Encrypted && opts.Key == nil {
		opts.Key = testKey(t)
	}
	fs, err := sefs.Create(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs, dir
}

func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		fs, _ := newLayer(t, sefs.Options{})
		return fs
	}, fstest.AllCaps)
}

// The suite again with a cache of one block: every write goes out to the
// objects at once, and every read comes back through them.
func TestConformanceNoCache(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		fs, _ := newLayer(t, sefs.Options{CacheSize: sefs.Block})
		return fs
	}, fstest.AllCaps)
}
