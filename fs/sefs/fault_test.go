package sefs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"golang.org/x/sys/unix"
)

// faultStorage fails object writes, syncs or reads with err while set.
type faultStorage struct {
	sefs.Storage
	mu                            sync.Mutex
	failWrite, failSync, failRead error
}

func (s *faultStorage) set(w, sy, r error) {
	s.mu.Lock()
	s.failWrite, s.failSync, s.failRead = w, sy, r
	s.mu.Unlock()
}

func (s *faultStorage) Open(name string, create bool) (sefs.Object, error) {
	o, err := s.Storage.Open(name, create)
	if err != nil {
		return nil, err
	}
	return &faultObject{Object: o, s: s}, nil
}

type faultObject struct {
	sefs.Object
	s *faultStorage
}

func (o *faultObject) WriteAt(p []byte, off int64) (int, error) {
	o.s.mu.Lock()
	err := o.s.failWrite
	o.s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return o.Object.WriteAt(p, off)
}

func (o *faultObject) ReadAt(p []byte, off int64) (int, error) {
	o.s.mu.Lock()
	err := o.s.failRead
	o.s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return o.Object.ReadAt(p, off)
}

func (o *faultObject) Sync() error {
	o.s.mu.Lock()
	err := o.s.failSync
	o.s.mu.Unlock()
	if err != nil {
		return err
	}
	return o.Object.Sync()
}

func faultLayer(t *testing.T, cache int64) (*layer, *faultStorage) {
	l := &layer{t: t, dir: filepath.Join(t.TempDir(), "layer"),
		opts: sefs.Options{Mode: sefs.Encrypted, Key: testKey(t), CommitInterval: -1, CacheSize: cache}}
	ds, err := sefs.NewDirStorage(l.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	fst := &faultStorage{Storage: ds}
	if l.fs, err = sefs.Create(fst, l.opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if l.fs != nil {
			l.fs.Close()
		}
	})
	return l, fst
}

var (
	errNoSpace = &os.PathError{Op: "write", Path: "object", Err: syscall.ENOSPC}
	errIO      = &os.PathError{Op: "write", Path: "object", Err: syscall.EIO}
)

// A failing host: the program gets ENOSPC or EIO, what was committed
// stays, and once the host recovers everything is committed.
func TestHostFailures(t *testing.T) {
	for _, c := range []struct {
		name         string
		write, fsync error
		want         errno.Errno
	}{
		{"write ENOSPC", errNoSpace, nil, errno.ENOSPC},
		{"write EIO", errIO, nil, errno.EIO},
		{"fdatasync EIO", nil, errIO, errno.EIO},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, fst := faultLayer(t, 16*sefs.Block)
			old := bytes.Repeat([]byte("committed "), 100000)
			writeFile(t, l.root(), "old", old)
			if e := l.fs.Sync(); e != 0 {
				t.Fatal(e)
			}
			fst.set(c.write, c.fsync, nil)
			in, _ := l.root().Create("new", 0o644)
			f, _ := in.Open(vfs.O_RDWR)
			newData := bytes.Repeat([]byte("new data "), 100000)
			_, we := f.WriteAt(newData, 0) // larger than the cache: written out
			se := f.Sync(false)
			if c.write != nil && we != c.want {
				t.Fatalf("write: %v, want %v", we, c.want)
			}
			if se != c.want {
				t.Fatalf("fsync: %v, want %v", se, c.want)
			}
			if got, e := readFile(t, l.root(), "old"); e != 0 || !bytes.Equal(got, old) {
				t.Fatalf("committed data while the host fails: %v", e)
			}
			// A crash now: the last commit, whole.
			f.Close()
			l.fs.Abandon()
			fs, err := l.mount(l.opts)
			if err != nil {
				t.Fatalf("the layer does not mount after host failures: %v", err)
			}
			if got, e := readFile(t, fs.Root(), "old"); e != 0 || !bytes.Equal(got, old) {
				t.Fatalf("committed data after a crash: %v", e)
			}
			fs.Close()
		})
	}
	t.Run("recovers", func(t *testing.T) {
		l, fst := faultLayer(t, 16*sefs.Block)
		fst.set(errNoSpace, nil, nil)
		data := bytes.Repeat([]byte("0123456789"), 30000)
		in, _ := l.root().Create("f", 0o644)
		f, _ := in.Open(vfs.O_RDWR)
		n, e := f.WriteAt(data, 0)
		if e != errno.ENOSPC {
			t.Fatalf("write: %d %v", n, e)
		}
		fst.set(nil, nil, nil)
		if m, e := f.WriteAt(data[n:], int64(n)); e != 0 || n+m != len(data) {
			t.Fatalf("write after recovery: %v", e)
		}
		if e := f.Sync(false); e != 0 {
			t.Fatal(e)
		}
		f.Close()
		l.remount(true)
		if got, e := readFile(t, l.root(), "f"); e != 0 || !bytes.Equal(got, data) {
			t.Fatalf("after recovery: %v %d bytes", e, len(got))
		}
	})
	t.Run("read EIO", func(t *testing.T) {
		l, fst := faultLayer(t, 16*sefs.Block)
		writeFile(t, l.root(), "f", bytes.Repeat([]byte("x"), 100000))
		l.fs.Close()
		var err error
		if l.fs, err = sefs.Mount(fst, l.opts); err != nil {
			t.Fatal(err)
		}
		fst.set(nil, nil, errIO)
		if _, e := readFile(t, l.root(), "f"); e != errno.EIO {
			t.Fatalf("read: %v", e)
		}
	})
}

// A real full disk: a small tmpfs (needs CAP_SYS_ADMIN; skipped without).
func TestFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); the failing storage of TestHostFailures stands in", err)
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	l := &layer{t: t, dir: filepath.Join(mnt, "layer"),
		opts: sefs.Options{Mode: sefs.Encrypted, Key: testKey(t), CommitInterval: -1, CacheSize: 64 * sefs.Block}}
	ds, err := sefs.NewDirStorage(l.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if l.fs, err = sefs.Create(ds, l.opts); err != nil {
		t.Fatal(err)
	}
	keep := bytes.Repeat([]byte("keep me "), 20000)
	writeFile(t, l.root(), "keep", keep)
	if e := l.fs.Sync(); e != 0 {
		t.Fatal(e)
	}
	in, _ := l.root().Create("fill", 0o644)
	f, _ := in.Open(vfs.O_RDWR)
	chunk := bytes.Repeat([]byte{0xab}, 64<<10)
	var off int64
	var e errno.Errno
	for off < 64<<20 {
		var n int
		if n, e = f.WriteAt(chunk, off); e != 0 {
			break
		}
		off += int64(n)
		if off%(1<<20) == 0 {
			if e = f.Sync(false); e != 0 {
				break
			}
		}
	}
	if e != errno.ENOSPC {
		t.Fatalf("filling the disk: %v after %d bytes, want ENOSPC", e, off)
	}
	f.Close()
	if got, e := readFile(t, l.root(), "keep"); e != 0 || !bytes.Equal(got, keep) {
		t.Fatalf("committed data on a full disk: %v", e)
	}
	// Removing the file makes room again.
	if e := l.root().Unlink("fill"); e != 0 {
		t.Fatal(e)
	}
	if e := l.fs.Sync(); e != 0 {
		t.Fatalf("sync after removing the file: %v", e)
	}
	l.remount(true)
	if got, e := readFile(t, l.root(), "keep"); e != 0 || !bytes.Equal(got, keep) {
		t.Fatalf("after a full disk and a crash: %v", e)
	}
	l.fs.Close()
	l.fs = nil
}

var _ = errors.New
