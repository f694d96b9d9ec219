package fstest

import (
	"io"
	"io/fs"
	"path"
	"syscall"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// IOFS returns a read-only io/fs view of ns, rooted at "/", for
// testing/fstest.TestFS and other io/fs consumers. Errors are
// *fs.PathError wrapping a syscall.Errno with the Errno's number, so
// errors.Is(err, fs.ErrNotExist) works.
func IOFS(ns *vfs.Namespace) fs.FS { return nsFS{ns} }

type nsFS struct{ ns *vfs.Namespace }

var (
	_ fs.StatFS     = nsFS{}
	_ fs.ReadLinkFS = nsFS{}
)

func pathErr(op, name string, e errno.Errno) error {
	return &fs.PathError{Op: op, Path: name, Err: syscall.Errno(e)}
}

func (f nsFS) abs(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return "/", nil
	}
	return "/" + name, nil
}

func (f nsFS) Open(name string) (fs.File, error) {
	p, err := f.abs("open", name)
	if err != nil {
		return nil, err
	}
	file, e := f.ns.Open(p, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return nil, pathErr("open", name, e)
	}
	return &ioFile{fsys: f, name: name, f: file}, nil
}

func (f nsFS) stat(op, name string, follow bool) (fs.FileInfo, error) {
	p, err := f.abs(op, name)
	if err != nil {
		return nil, err
	}
	st, e := f.ns.Stat(p, follow)
	if e != 0 {
		return nil, pathErr(op, name, e)
	}
	return fileInfo{name: path.Base(name), st: st}, nil
}

func (f nsFS) Stat(name string) (fs.FileInfo, error)  { return f.stat("stat", name, true) }
func (f nsFS) Lstat(name string) (fs.FileInfo, error) { return f.stat("lstat", name, false) }

func (f nsFS) ReadLink(name string) (string, error) {
	p, err := f.abs("readlink", name)
	if err != nil {
		return "", err
	}
	s, e := f.ns.Readlink(p)
	if e != 0 {
		return "", pathErr("readlink", name, e)
	}
	return s, nil
}

type ioFile struct {
	fsys   nsFS
	name   string
	f      *vfs.File
	cookie uint64 // next ReadDir position; 0 means not started
}

var (
	_ fs.ReadDirFile = (*ioFile)(nil)
	_ io.Seeker      = (*ioFile)(nil)
	_ io.ReaderAt    = (*ioFile)(nil)
)

func (f *ioFile) Stat() (fs.FileInfo, error) {
	st, e := f.f.Stat()
	if e != 0 {
		return nil, pathErr("stat", f.name, e)
	}
	return fileInfo{name: path.Base(f.name), st: st}, nil
}

func (f *ioFile) Read(p []byte) (int, error) {
	n, e := f.f.Read(p)
	if e != 0 {
		return n, pathErr("read", f.name, e)
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *ioFile) ReadAt(p []byte, off int64) (int, error) {
	n, e := f.f.Pread(p, off)
	if e != 0 {
		return n, pathErr("read", f.name, e)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *ioFile) Seek(off int64, whence int) (int64, error) {
	n, e := f.f.Lseek(off, whence)
	if e != 0 {
		return n, pathErr("seek", f.name, e)
	}
	return n, nil
}

func (f *ioFile) Close() error {
	if e := f.f.DecRef(); e != 0 {
		return pathErr("close", f.name, e)
	}
	return nil
}

func (f *ioFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if f.cookie == 0 {
		f.cookie = 2 // skip "." and ".."
	}
	list, e := f.f.ReadDir(f.cookie)
	if e != 0 {
		return nil, pathErr("readdir", f.name, e)
	}
	if n > 0 && len(list) > n {
		list = list[:n]
	}
	f.cookie += uint64(len(list))
	out := make([]fs.DirEntry, len(list))
	for i, d := range list {
		out[i] = dirEntry{fsys: f.fsys, path: path.Join(f.name, d.Name), d: d}
	}
	if n > 0 && len(out) == 0 {
		return nil, io.EOF
	}
	return out, nil
}

type dirEntry struct {
	fsys nsFS
	path string
	d    vfs.Dirent
}

func (d dirEntry) Name() string               { return d.d.Name }
func (d dirEntry) IsDir() bool                { return d.d.Type == vfs.TypeDirectory }
func (d dirEntry) Type() fs.FileMode          { return typeMode(d.d.Type) }
func (d dirEntry) Info() (fs.FileInfo, error) { return d.fsys.Lstat(d.path) }

type fileInfo struct {
	name string
	st   vfs.Stat
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.st.Size }
func (i fileInfo) ModTime() time.Time { return time.Unix(0, i.st.Mtime) }
func (i fileInfo) IsDir() bool        { return i.st.Type() == vfs.TypeDirectory }
func (i fileInfo) Sys() any           { return i.st }

func (i fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.st.Mode&0o777) | typeMode(i.st.Type())
	if i.st.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if i.st.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if i.st.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

func typeMode(t vfs.FileType) fs.FileMode {
	switch t {
	case vfs.TypeDirectory:
		return fs.ModeDir
	case vfs.TypeSymlink:
		return fs.ModeSymlink
	case vfs.TypeCharDev:
		return fs.ModeDevice | fs.ModeCharDevice
	case vfs.TypeBlockDev:
		return fs.ModeDevice
	case vfs.TypeFIFO:
		return fs.ModeNamedPipe
	case vfs.TypeSocket:
		return fs.ModeSocket
	}
	return 0
}
