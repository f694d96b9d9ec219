package unionfs_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	fst "github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/unionfs"
)

// The shared suite's Run needs a file system that starts empty, so it runs
// over unions that look empty: over an empty lower layer, and over a lower
// layer full of conflicting entries hidden by whiteouts. How a union shows
// a populated lower layer, after copy-up and other changes, is checked by
// RunReadOnly over read-only unions of the same layers (and by
// testing/fstest.TestFS on the writable union). With ramfs layers the union
// has every capability.

// TestConformance: an empty ramfs upper over an empty ramfs lower.
func TestConformance(t *testing.T) {
	fst.Run(t, func(t *testing.T) vfs.FileSystem {
		lower := ramfs.New(ramfs.Options{})
		guard(t, lower)
		return mustNew(t, ramfs.New(ramfs.Options{}), []vfs.FileSystem{lower}, unionfs.Options{})
	}, fst.AllCaps)
}

// suiteNames are the top-level names the suite uses.
var suiteNames = strings.Fields(`a big chain d d700 d744 d751 d777 dangling dir dir2 dirlink dl
	empty empty-target empty2 exec.sh f f444 f600 f751 f777 file file2 hl lf link link2 log
	loop1 loop2 ls many missing new new-dir new-file new-link newdir nope odd renamed ro.txt rw
	self slash sparse sparse2 stale t x y`)

// TestConformanceOverWhiteouts: the lower layer holds something of another
// type or content at every name the suite uses, all hidden by whiteouts
// in the upper layer, so the suite's tree is made over whiteouts (opaque
// directories, files replacing whited-out directories...) and anything
// leaking from below fails it.
func TestConformanceOverWhiteouts(t *testing.T) {
	var lfx, ufx fst.Fixture
	for i, name := range suiteNames {
		switch i % 3 {
		case 0:
			lfx = append(lfx,
				fst.Entry{Path: name, Type: vfs.TypeDirectory, Mode: 0o711},
				fst.Entry{Path: name + "/f", Type: vfs.TypeRegular, Data: "LOWER " + name},
				fst.Entry{Path: name + "/sub", Type: vfs.TypeDirectory},
				fst.Entry{Path: name + "/sub/deep", Type: vfs.TypeRegular, Data: "deep"},
				fst.Entry{Path: name + "/x", Type: vfs.TypeSymlink, Target: "/file"})
		case 1:
			lfx = append(lfx, fst.Entry{Path: name, Type: vfs.TypeRegular, Data: "LOWER " + name, Mode: 0o600})
		case 2:
			lfx = append(lfx, fst.Entry{Path: name, Type: vfs.TypeSymlink, Target: "/"})
		}
		ufx = append(ufx, fst.Entry{Path: unionfs.WhiteoutPrefix + name, Type: vfs.TypeRegular})
	}
	// And something the suite never names, hidden as well.
	lfx = append(lfx, fst.Entry{Path: "lower-only", Type: vfs.TypeRegular, Data: "x"})
	ufx = append(ufx, fst.Entry{Path: unionfs.WhiteoutPrefix + "lower-only", Type: vfs.TypeRegular})
	fst.Run(t, func(t *testing.T) vfs.FileSystem {
		lower := layer(t, lfx)
		guard(t, lower)
		return mustNew(t, layer(t, ufx), []vfs.FileSystem{lower}, unionfs.Options{})
	}, fst.AllCaps)
}

// TestConformanceReadOnly: a read-only union (no upper layer) of one lower
// layer holding the fixture.
func TestConformanceReadOnly(t *testing.T) {
	fx := fst.DefaultFixture()
	lower := layer(t, fx)
	guard(t, lower)
	fst.RunReadOnly(t, mustNew(t, nil, []vfs.FileSystem{lower}, unionfs.Options{}), fx, fst.AllCaps)
}

// TestConformanceReadOnlyLayers: the fixture split over two lower layers,
// with junk in the bottom one hidden by whiteouts, opaque directories and
// non-directories over directories in the top one.
func TestConformanceReadOnlyLayers(t *testing.T) {
	fx := fst.DefaultFixture()
	byPath := map[string]fst.Entry{}
	for _, e := range fx {
		byPath[e.Path] = e
	}
	top := layer(t, fst.Fixture{
		{Path: "a", Type: vfs.TypeDirectory},
		byPath["a/b.txt"],
		{Path: "a/.wh.junk", Type: vfs.TypeRegular},
		byPath["a/c"],
		{Path: "a/c/.wh..wh..opq", Type: vfs.TypeRegular},
		byPath["a/c/big"],
		byPath["a/c/up"],
		byPath["a/c/abs"],
		byPath["a/empty-dir"],
		{Path: "a/empty-dir/.wh..wh..opq", Type: vfs.TypeRegular},
		byPath["exec.sh"],
		{Path: ".wh.trash", Type: vfs.TypeRegular},
		{Path: ".wh.ro.txt.orig", Type: vfs.TypeRegular},
	})
	bottom := layer(t, fst.Fixture{
		{Path: "a", Type: vfs.TypeDirectory, Mode: 0o700},
		{Path: "a/b.txt", Type: vfs.TypeRegular, Data: "old"},
		{Path: "a/junk", Type: vfs.TypeRegular, Data: "junk"},
		{Path: "a/c", Type: vfs.TypeDirectory},
		{Path: "a/c/junk2", Type: vfs.TypeRegular},
		{Path: "a/c/big", Type: vfs.TypeDirectory},
		{Path: "a/empty-dir", Type: vfs.TypeDirectory},
		{Path: "a/empty-dir/junk", Type: vfs.TypeRegular},
		byPath["empty"],
		{Path: "exec.sh", Type: vfs.TypeDirectory},
		{Path: "exec.sh/x", Type: vfs.TypeRegular},
		byPath["ro.txt"],
		{Path: "ro.txt.orig", Type: vfs.TypeRegular},
		byPath["link"],
		byPath["chain"],
		byPath["dirlink"],
		{Path: "trash", Type: vfs.TypeDirectory},
		{Path: "trash/x", Type: vfs.TypeRegular},
	})
	guard(t, top, bottom)
	fst.RunReadOnly(t, mustNew(t, nil, []vfs.FileSystem{top, bottom}, unionfs.Options{}), fx, fst.AllCaps)
}

// TestConformanceCopiedUp: a writable union over the fixture; every entry
// is changed through it (chmod of files and directories, symbolic links
// renamed away and back), which copies the whole tree up. The upper layer
// alone, and the upper over the lower, must then both show the fixture
// exactly.
func TestConformanceCopiedUp(t *testing.T) {
	fx := fst.DefaultFixture()
	lower := layer(t, fx)
	guard(t, lower)
	upper := ramfs.New(ramfs.Options{})
	u := mustNew(t, upper, []vfs.FileSystem{lower}, unionfs.Options{ChunkSize: 1000})
	ns := vfs.NewNamespace(u, false, "union")
	for _, e := range fx {
		p := "/" + e.Path
		switch e.Type {
		case vfs.TypeSymlink:
			must(t, ns.Rename(p, p+".moved"), "rename %s", p)
			must(t, ns.Rename(p+".moved", p), "rename back %s", p)
		default:
			st, er := ns.Stat(p, false)
			must(t, er, "stat %s", p)
			must(t, ns.SetAttr(p, false, vfs.SetAttr{Mask: vfs.SetMode, Mode: st.Perm()}), "chmod %s", p)
		}
	}
	if err := fstest.TestFS(fst.IOFS(ns), "a/b.txt", "a/c/big", "ro.txt"); err != nil {
		t.Error(err)
	}
	t.Run("upper", func(t *testing.T) {
		fst.RunReadOnly(t, mustNew(t, nil, []vfs.FileSystem{upper}, unionfs.Options{}), fx, fst.AllCaps)
	})
	t.Run("upper+lower", func(t *testing.T) {
		fst.RunReadOnly(t, mustNew(t, nil, []vfs.FileSystem{upper, lower}, unionfs.Options{}), fx, fst.AllCaps)
	})
}

// TestConformanceRepaired: the lower layer is the fixture gone wrong in
// every way (wrong content, wrong types, wrong modes, wrong link targets,
// junk files and directories, missing files, a file under another name);
// each is repaired through the union, which then, and the upper over the
// lower read-only, must show the fixture exactly.
func TestConformanceRepaired(t *testing.T) {
	fx := fst.DefaultFixture()
	byPath := map[string]fst.Entry{}
	for _, e := range fx {
		byPath[e.Path] = e
	}
	big := []byte(byPath["a/c/big"].Data)
	wrongBig := append([]byte(nil), big...)
	copy(wrongBig[5000:], "XXXXXXXXXX")
	lower := layer(t, fst.Fixture{
		{Path: "a", Type: vfs.TypeDirectory},
		{Path: "a/b.txt", Type: vfs.TypeRegular, Data: "stale content, longer than the right one\n"},
		{Path: "a/junk", Type: vfs.TypeRegular, Data: "junk"},
		{Path: "a/junkdir", Type: vfs.TypeDirectory},
		{Path: "a/junkdir/x", Type: vfs.TypeRegular},
		{Path: "a/junkdir/y", Type: vfs.TypeDirectory},
		{Path: "a/junkdir/y/z", Type: vfs.TypeSymlink, Target: "x"},
		{Path: "a/c", Type: vfs.TypeDirectory, Mode: 0o700},
		{Path: "a/c/big", Type: vfs.TypeRegular, Data: string(wrongBig)},
		{Path: "a/c/up-old", Type: vfs.TypeSymlink, Target: "../b.txt"},
		byPath["a/c/abs"],
		{Path: "a/empty-dir", Type: vfs.TypeRegular, Data: "not a dir"},
		{Path: "empty", Type: vfs.TypeDirectory},
		{Path: "empty/junk", Type: vfs.TypeRegular},
		{Path: "exec.sh", Type: vfs.TypeRegular, Data: byPath["exec.sh"].Data, Mode: 0o644},
		byPath["link"],
		{Path: "chain", Type: vfs.TypeSymlink, Target: "wrong"},
		{Path: "dirlink", Type: vfs.TypeDirectory},
		{Path: "dirlink/f", Type: vfs.TypeRegular},
	})
	guard(t, lower)
	upper := ramfs.New(ramfs.Options{})
	u := mustNew(t, upper, []vfs.FileSystem{lower}, unionfs.Options{ChunkSize: 4096})
	ns := vfs.NewNamespace(u, false, "union")
	write := func(p string, data []byte, fl vfs.OpenFlags, off int64) {
		t.Helper()
		f, er := ns.Open(p, fl, 0o600, nil)
		must(t, er, "open %s", p)
		_, er = f.Pwrite(data, off)
		must(t, er, "write %s", p)
		f.DecRef()
	}
	write("/a/b.txt", []byte(byPath["a/b.txt"].Data), vfs.O_WRONLY|vfs.O_TRUNC, 0)
	must(t, ns.Unlink("/a/junk"), "unlink")
	must(t, ns.Unlink("/a/junkdir/x"), "unlink")
	e := ns.Rmdir("/a/junkdir")
	if e != errno.ENOTEMPTY {
		t.Errorf("rmdir of a non-empty lower directory: %v, want ENOTEMPTY", e)
	}
	must(t, ns.Unlink("/a/junkdir/y/z"), "unlink")
	must(t, ns.Rmdir("/a/junkdir/y"), "rmdir")
	must(t, ns.Rmdir("/a/junkdir"), "rmdir")
	write("/a/c/big", big[5000:5010], vfs.O_RDWR, 5000)
	must(t, ns.Rename("/a/c/up-old", "/a/c/up"), "rename")
	must(t, ns.Unlink("/a/empty-dir"), "unlink")
	must(t, ns.Mkdir("/a/empty-dir", 0o755), "mkdir")
	must(t, ns.Unlink("/empty/junk"), "unlink")
	must(t, ns.Rmdir("/empty"), "rmdir")
	write("/empty", nil, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0)
	must(t, ns.SetAttr("/empty", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o644}), "chmod")
	must(t, ns.SetAttr("/exec.sh", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o755}), "chmod")
	write("/ro.txt", []byte(byPath["ro.txt"].Data), vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, 0)
	must(t, ns.SetAttr("/ro.txt", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o444}), "chmod")
	must(t, ns.Unlink("/chain"), "unlink")
	must(t, ns.Symlink("link", "/chain"), "symlink")
	must(t, ns.Unlink("/dirlink/f"), "unlink")
	must(t, ns.Rmdir("/dirlink"), "rmdir")
	must(t, ns.Symlink("a/c", "/dirlink"), "symlink")

	t.Run("union", func(t *testing.T) {
		if err := fstest.TestFS(fst.IOFS(ns), "a/b.txt", "a/c/big", "ro.txt", "exec.sh", "empty"); err != nil {
			t.Error(err)
		}
	})
	t.Run("upper+lower", func(t *testing.T) {
		fst.RunReadOnly(t, mustNew(t, nil, []vfs.FileSystem{upper, lower}, unionfs.Options{}), fx, fst.AllCaps)
	})
}

func must(t testing.TB, e errno.Errno, format string, args ...any) {
	t.Helper()
	if e != 0 {
		t.Fatalf(format+": %v", append(args, e)...)
	}
}
