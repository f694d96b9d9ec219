package procfs

import (
	"strconv"
	"strings"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
)

// pidDir is /proc/<pid>: it exists while its process is in the table.
type pidDir struct {
	roInode
	fs *FileSystem
	p  *kernel.Process
}

var _ vfs.Inode = (*pidDir)(nil)

// pidEntries are the names in /proc/<pid>, sorted, with their kinds.
var pidEntries = []struct {
	name string
	kind uint64
	typ  vfs.FileType
}{
	{"cmdline", kindCmdline, vfs.TypeRegular},
	{"comm", kindComm, vfs.TypeRegular},
	{"cwd", kindCwd, vfs.TypeSymlink},
	{"environ", kindEnviron, vfs.TypeRegular},
	{"exe", kindExe, vfs.TypeSymlink},
	{"fd", kindFD, vfs.TypeDirectory},
	{"fdinfo", kindFDInfo, vfs.TypeDirectory},
	{"mounts", kindMounts, vfs.TypeRegular},
	{"root", kindRoot, vfs.TypeSymlink},
	{"stat", kindStat, vfs.TypeRegular},
	{"statm", kindStatm, vfs.TypeRegular},
	{"status", kindStatus, vfs.TypeRegular},
}

func (d *pidDir) Type() vfs.FileType { return vfs.TypeDirectory }

func (d *pidDir) Stat() (vfs.Stat, errno.Errno) {
	st := stat(pidIno(d.p.PID, kindDir), vfs.TypeDirectory, 0o555, d.p.Started.UnixNano())
	st.Nlink = 4 // ".", "..", fd/ and fdinfo/ (Linux counts every subdirectory)
	return st, 0
}

func (d *pidDir) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if !d.fs.alive(d.p) {
		return nil, errno.ENOENT
	}
	return openDir(d, flags)
}

// Lookup returns the named file of the process.
//
// # Errors
//   - ENOENT: no such file, or the process was reaped.
func (d *pidDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	if !d.fs.alive(d.p) {
		return nil, errno.ENOENT
	}
	for _, e := range pidEntries {
		if e.name == name {
			return d.child(e.kind), 0
		}
	}
	return nil, errno.ENOENT
}

// child makes the inode of one entry.
func (d *pidDir) child(kind uint64) vfs.Inode {
	fs, p := d.fs, d.p
	ino := pidIno(p.PID, kind)
	file := func(perm uint32, gen func(kernel.ProcessInfo) []byte) vfs.Inode {
		return &genInode{fs: fs, ino: ino, perm: perm, p: p, gen: func() []byte { return gen(p.Info()) }}
	}
	link := func(target func(kernel.ProcessInfo) string) vfs.Inode {
		return &linkInode{fs: fs, ino: ino, perm: 0o777, p: p, target: func() (string, errno.Errno) {
			in := p.Info()
			if in.State == kernel.StateZombie {
				return "", errno.ENOENT
			}
			t := target(in)
			if t == "" {
				return "", errno.ENOENT
			}
			return t, 0
		}}
	}
	switch kind {
	case kindCmdline:
		return file(0o444, func(in kernel.ProcessInfo) []byte { return nulList(in, in.Args) })
	case kindEnviron:
		return file(0o400, func(in kernel.ProcessInfo) []byte { return nulList(in, in.Env) })
	case kindComm:
		return file(0o444, func(in kernel.ProcessInfo) []byte { return line(comm(in)) })
	case kindStat:
		return file(0o444, func(in kernel.ProcessInfo) []byte { return fs.pidStat(p, in) })
	case kindStatm:
		return file(0o444, func(in kernel.ProcessInfo) []byte { return pidStatm(in) })
	case kindStatus:
		return file(0o444, func(in kernel.ProcessInfo) []byte { return fs.pidStatus(p, in) })
	case kindMounts:
		return file(0o444, func(kernel.ProcessInfo) []byte { return fs.mounts() })
	case kindCwd:
		return link(func(in kernel.ProcessInfo) string { return in.Cwd })
	case kindExe:
		return link(func(in kernel.ProcessInfo) string { return in.Exe })
	case kindRoot:
		return link(func(kernel.ProcessInfo) string { return "/" })
	case kindFD:
		return &fdDir{fs: fs, p: p, info: false}
	case kindFDInfo:
		return &fdDir{fs: fs, p: p, info: true}
	}
	return nil
}

// ReadDir lists the process's files.
//
// # Errors
//   - ENOENT: the process was reaped.
func (d *pidDir) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if !d.fs.alive(d.p) {
		return nil, errno.ENOENT
	}
	out := make([]vfs.Dirent, len(pidEntries))
	for i, e := range pidEntries {
		out[i] = vfs.Dirent{Name: e.name, Ino: pidIno(d.p.PID, e.kind), Type: e.typ}
	}
	return out, 0
}

func (d *pidDir) names() readOnlyDir { return readOnlyDir{lookup: d.Lookup} }

func (d *pidDir) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	return d.names().Create(name, perm)
}
func (d *pidDir) Mkdir(name string, perm uint32) errno.Errno     { return d.names().Mkdir(name, perm) }
func (d *pidDir) Symlink(name, target string) errno.Errno        { return d.names().Symlink(name, target) }
func (d *pidDir) Link(name string, target vfs.Inode) errno.Errno { return d.names().Link(name, target) }
func (d *pidDir) Unlink(name string) errno.Errno                 { return d.names().Unlink(name) }
func (d *pidDir) Rmdir(name string) errno.Errno                  { return d.names().Rmdir(name) }
func (d *pidDir) Rename(o string, nd vfs.Inode, n string) errno.Errno {
	return d.names().Rename(o, nd, n)
}

// nulList is argv or the environment as Linux shows it: each string
// followed by a NUL; nothing for a zombie.
func nulList(in kernel.ProcessInfo, list []string) []byte {
	if in.State == kernel.StateZombie {
		return nil
	}
	var b []byte
	for _, s := range list {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// taskCommLen is Linux's TASK_COMM_LEN: comm holds at most 15 bytes.
const taskCommLen = 16

// comm is the process's name as Linux keeps it: the base name of the path
// it was started or exec'd with, cut to 15 bytes.
func comm(in kernel.ProcessInfo) string {
	p := in.Path
	if p == "" && len(in.Args) > 0 {
		p = in.Args[0]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if len(p) > taskCommLen-1 {
		p = p[:taskCommLen-1]
	}
	return p
}

// fdDir is /proc/<pid>/fd or /proc/<pid>/fdinfo: one entry per open
// descriptor of the process.
type fdDir struct {
	roInode
	fs   *FileSystem
	p    *kernel.Process
	info bool // fdinfo/ (files) rather than fd/ (links)
}

var _ vfs.Inode = (*fdDir)(nil)

func (d *fdDir) kind() uint64 {
	if d.info {
		return kindFDInfo
	}
	return kindFD
}

func (d *fdDir) entryIno(fd int32) uint64 {
	if d.info {
		return pidIno(d.p.PID, fdinfoBit|uint64(fd)&fdMask)
	}
	return pidIno(d.p.PID, fdBit|uint64(fd)&fdMask)
}

func (d *fdDir) Type() vfs.FileType { return vfs.TypeDirectory }

func (d *fdDir) Stat() (vfs.Stat, errno.Errno) {
	perm := uint32(0o500) // fd/: only the owner may look, as on Linux
	if d.info {
		perm = 0o555
	}
	st := stat(pidIno(d.p.PID, d.kind()), vfs.TypeDirectory, perm, d.p.Started.UnixNano())
	st.Nlink = 2
	return st, 0
}

func (d *fdDir) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if !d.fs.alive(d.p) {
		return nil, errno.ENOENT
	}
	return openDir(d, flags)
}

// fds returns the process's open descriptors (none for a zombie, whose
// table is closed).
func (d *fdDir) fds() []int32 {
	if d.p.FDs == nil {
		return nil
	}
	return d.p.FDs.FDs()
}

// ReadDir lists the open descriptors, ascending.
//
// # Errors
//   - ENOENT: the process was reaped.
func (d *fdDir) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if !d.fs.alive(d.p) {
		return nil, errno.ENOENT
	}
	t := vfs.TypeSymlink
	if d.info {
		t = vfs.TypeRegular
	}
	var out []vfs.Dirent
	for _, fd := range d.fds() {
		out = append(out, vfs.Dirent{Name: strconv.Itoa(int(fd)), Ino: d.entryIno(fd), Type: t})
	}
	return out, 0
}

// Lookup returns the entry of descriptor name, if it is open now.
func (d *fdDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	fd, ok := parseFD(name)
	if !ok || !d.fs.alive(d.p) || d.p.FDs == nil {
		return nil, errno.ENOENT
	}
	f, e := d.p.FDs.Get(fd)
	if e != 0 {
		return nil, errno.ENOENT
	}
	mode := f.Flags() & vfs.O_ACCMODE
	f.DecRef()
	fs, p := d.fs, d.p
	if d.info {
		return &genInode{fs: fs, ino: d.entryIno(fd), perm: 0o444, p: p, gen: func() []byte { return fdinfo(p, fd) }}, 0
	}
	perm := uint32(0o500) // lr-x------, as Linux shows a descriptor open for reading
	switch mode {
	case vfs.O_WRONLY:
		perm = 0o300
	case vfs.O_RDWR:
		perm = 0o700
	}
	return &linkInode{fs: fs, ino: d.entryIno(fd), perm: perm, p: p, target: func() (string, errno.Errno) {
		return fdTarget(p, fd)
	}}, 0
}

func (d *fdDir) names() readOnlyDir { return readOnlyDir{lookup: d.Lookup} }

func (d *fdDir) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	return d.names().Create(name, perm)
}
func (d *fdDir) Mkdir(name string, perm uint32) errno.Errno     { return d.names().Mkdir(name, perm) }
func (d *fdDir) Symlink(name, target string) errno.Errno        { return d.names().Symlink(name, target) }
func (d *fdDir) Link(name string, target vfs.Inode) errno.Errno { return d.names().Link(name, target) }
func (d *fdDir) Unlink(name string) errno.Errno                 { return d.names().Unlink(name) }
func (d *fdDir) Rmdir(name string) errno.Errno                  { return d.names().Rmdir(name) }
func (d *fdDir) Rename(o string, nd vfs.Inode, n string) errno.Errno {
	return d.names().Rename(o, nd, n)
}
