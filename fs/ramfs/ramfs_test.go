package ramfs_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/ramfs"
)

func TestConformance(t *testing.T) {
	fstest.Run(t, func(*testing.T) vfs.FileSystem { return ramfs.New(ramfs.Options{}) }, fstest.AllCaps)
}

func TestMaxBytes(t *testing.T) {
	fs := ramfs.New(ramfs.Options{MaxBytes: 4 * ramfs.PageSize})
	ns := vfs.NewNamespace(fs, false, "tmp")
	f, e := ns.Open("/a", vfs.O_CREAT|vfs.O_RDWR, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	buf := make([]byte, 4*ramfs.PageSize)
	if n, e := f.Write(buf); n != len(buf) || e != 0 {
		t.Fatalf("write to the limit = %d, %v", n, e)
	}
	if n, e := f.Write([]byte("x")); n != 0 || e != errno.ENOSPC {
		t.Fatalf("write past limit = %d, %v; want ENOSPC", n, e)
	}
	// Rewriting allocated pages and sparse growth need no space.
	if _, e := f.Pwrite([]byte("y"), 10); e != 0 {
		t.Fatal(e)
	}
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: 1 << 30}); e != 0 {
		t.Fatal(e)
	}
	// A write that crosses the limit is short.
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: 3 * ramfs.PageSize}); e != 0 {
		t.Fatal(e)
	}
	if n, e := f.Pwrite(make([]byte, 2*ramfs.PageSize), 3*ramfs.PageSize); n != ramfs.PageSize || e != 0 {
		t.Fatalf("write across limit = %d, %v; want short write", n, e)
	}
	// An unlinked but open file keeps its space until closed.
	if e := ns.Unlink("/a"); e != 0 {
		t.Fatal(e)
	}
	if u := fs.Usage(); u.Bytes != 4*ramfs.PageSize {
		t.Fatalf("usage after unlink %+v", u)
	}
	f.DecRef()
	if u := fs.Usage(); u.Bytes != 0 || u.Inodes != 1 {
		t.Fatalf("usage after close %+v", u)
	}
}

func TestMaxInodes(t *testing.T) {
	fs := ramfs.New(ramfs.Options{MaxInodes: 3})
	ns := vfs.NewNamespace(fs, false, "tmp")
	if e := ns.Mkdir("/d", 0o755); e != 0 {
		t.Fatal(e)
	}
	if e := ns.Symlink("d", "/l"); e != 0 {
		t.Fatal(e)
	}
	if _, e := ns.Open("/f", vfs.O_CREAT|vfs.O_RDONLY, 0o644, nil); e != errno.ENOSPC {
		t.Fatalf("create past inode limit: %v", e)
	}
	if e := ns.Mkdir("/d/e", 0o755); e != errno.ENOSPC {
		t.Fatalf("mkdir past inode limit: %v", e)
	}
	if e := ns.Unlink("/l"); e != 0 {
		t.Fatal(e)
	}
	if e := ns.Mkdir("/d/e", 0o755); e != 0 {
		t.Fatalf("mkdir after freeing: %v", e)
	}
}

// TestConcurrent runs many goroutines creating, writing, renaming, linking
// and removing in shared and private directories; run it with -race.
func TestConcurrent(t *testing.T) {
	fs := ramfs.New(ramfs.Options{MaxBytes: 1 << 20})
	ns := vfs.NewNamespace(fs, false, "tmp")
	for _, d := range []string{"/shared", "/other"} {
		if e := ns.Mkdir(d, 0o777); e != 0 {
			t.Fatal(e)
		}
	}
	shared, e := ns.Open("/shared/log", vfs.O_CREAT|vfs.O_RDWR|vfs.O_APPEND, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer shared.DecRef()
	const workers, rounds = 16, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := fmt.Sprintf("/w%d", w)
			if e := ns.Mkdir(mine, 0o755); e != 0 {
				t.Error(e)
				return
			}
			for i := range rounds {
				p := fmt.Sprintf("%s/f%d", mine, i%5)
				f, e := ns.Open(p, vfs.O_CREAT|vfs.O_RDWR|vfs.O_TRUNC, 0o644, nil)
				if e != 0 {
					t.Error(p, e)
					return
				}
				f.Write([]byte("data"))
				f.Pread(make([]byte, 4), 0)
				f.Stat()
				f.DecRef()
				shared.Write([]byte{byte(w)})
				// Contended names in shared directories: errors are
				// expected, races and panics are not.
				s := fmt.Sprintf("/shared/n%d", i%3)
				switch i % 6 {
				case 0:
					ns.Rename(p, s)
				case 1:
					ns.Link(p, s, false)
				case 2:
					ns.Unlink(s)
				case 3:
					ns.Rename(s, fmt.Sprintf("/other/n%d", i%3))
				case 4:
					ns.Mkdir(s+"d", 0o755)
					ns.Rename(s+"d", "/other/d")
					ns.Rmdir("/other/d")
				case 5:
					ns.SetAttr(p, true, vfs.SetAttr{Mask: vfs.SetMode | vfs.SetMtimeNow, Mode: 0o600})
				}
				if d, e := ns.Open("/shared", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil); e == 0 {
					d.ReadDir(0)
					d.DecRef()
				}
			}
		}()
	}
	wg.Wait()
	if st, _ := shared.Stat(); st.Size != workers*rounds {
		t.Errorf("shared log size %d, want %d", st.Size, workers*rounds)
	}
	if st, _ := ns.Stat("/", false); st.Nlink != 2+2+workers {
		t.Errorf("root nlink %d, want %d", st.Nlink, 2+2+workers)
	}
}
