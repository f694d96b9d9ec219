// Package procfs is the LibOS's /proc: a read-only view of the kernel's
// process table and of the system, formatted as Linux's so that tools
// written for Linux (ps, top-style readers, libraries that read
// /proc/self/stat or /proc/meminfo) parse it. docs/procfs.md lists every
// file and what each field holds.
//
// The tree is made on demand from the kernel, never stored:
//
//	self                  link to the caller's pid (vfs.CallerLink)
//	<pid>/                one per process in the table (live or zombie)
//	    cmdline comm environ stat statm status mounts
//	    cwd exe root      links
//	    fd/N              links to the paths of the open files, or
//	                      pipe:[ino], socket:[ino], anon_inode:[...]
//	    fdinfo/N          pos, flags (octal), mnt_id, ino
//	meminfo cpuinfo stat uptime loadavg version filesystems
//	mounts                link to self/mounts, as on Linux
//	sys/kernel/hostname ostype osrelease
//
// Consistency with the process table. A pid is listed, and /proc/<pid>
// found, exactly while the process is in the table (kernel.Kernel.PIDs,
// Process: live or zombie, not yet reaped): a listing or lookup that
// starts after a reap returns never shows the reaped pid. Each inode
// below /proc/<pid> holds its *kernel.Process and checks, at every
// lookup, open, readlink, listing and read, that the table still holds
// that very process (a pid reused later is another process): once it was
// reaped, lookups fail with ENOENT and reads of files opened before with
// ESRCH, as Linux's do.
//
// Files are generated when they are opened: every read of one open file
// sees the same snapshot at any offset (Linux's seq_file regenerates at
// offset 0; a snapshot per open keeps a reader that pages through a file
// from seeing a torn one). Their size is reported as 0, as Linux's procfs
// does, and they are read to end of file.
//
// The caller. vfs resolves "self" through vfs.CallerLink with the caller
// of the namespace view the path was resolved in (kernel.Process.VFS gives
// each process its view); without a caller (the LibOS itself) self does
// not resolve (ENOENT, as for a Linux kernel thread).
//
// Read-only, as Linux's procfs answers root (every LibOS process): open
// for writing is EACCES (the files are 0444; Linux lets root open them and
// fails the write with EIO or EINVAL instead: refusing at open says the
// same sooner); a new name (create, mkdir, symlink, link, rename's target)
// is ENOENT, an existing one EEXIST; unlink, rmdir and rename of what
// exists are EPERM (rmdir of a non-directory ENOTDIR); chmod, chown,
// utimens and truncate are EPERM.
//
// The kernel comes after the mount table (the kernel is built over the
// namespace), so it is bound later (BindKernel, done by the composition
// root); until then the root lists only the files that need no kernel.
//
// Lock order: procfs has no lock of its own. It calls the kernel's
// accessors (Kernel.mu, then Process.mu, then fdtable.Table.mu, each
// taken and released inside the call) and the open files of processes
// (vfs.File.Stat, Lseek, DecRef) holding none of them, never while vfs
// holds a lock other than the File.mu of the procfs directory being
// listed (which no kernel path takes).
package procfs

import (
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "procfs"

// Options configures New. The zero value is ready to use.
type Options struct {
	// Kernel is the process table; nil until BindKernel.
	Kernel *kernel.Kernel
	// MountTypes are the registered mount type names (/proc/filesystems).
	MountTypes []string
	// CPUs is the number of processors /proc/cpuinfo and /proc/stat show;
	// 0 means the host's (runtime.NumCPU).
	CPUs int
}

// FileSystem is one procfs instance. It is safe for concurrent use.
type FileSystem struct {
	k          atomic.Pointer[kernel.Kernel]
	mountTypes []string
	cpus       int
	root       *rootInode
	created    int64 // ns since the epoch: times of inodes with no process
}

var _ vfs.FileSystem = (*FileSystem)(nil)

// New returns a procfs over opts.Kernel (or the kernel BindKernel gives).
func New(opts Options) *FileSystem {
	fs := &FileSystem{mountTypes: append([]string(nil), opts.MountTypes...), cpus: opts.CPUs,
		created: time.Now().UnixNano()}
	sort.Strings(fs.mountTypes)
	if fs.cpus <= 0 {
		fs.cpus = runtime.NumCPU()
	}
	if opts.Kernel != nil {
		fs.k.Store(opts.Kernel)
	}
	fs.root = newRoot(fs)
	return fs
}

// BindKernel gives the file system its kernel: the composition root calls
// it once the kernel exists (it is made over the mount table that holds
// this file system).
func (fs *FileSystem) BindKernel(k *kernel.Kernel) { fs.k.Store(k) }

// Root returns the /proc directory.
func (fs *FileSystem) Root() vfs.Inode { return fs.root }

// Type returns Name.
func (fs *FileSystem) Type() string { return Name }

// kernel returns the bound kernel, or nil.
func (fs *FileSystem) kernel() *kernel.Kernel { return fs.k.Load() }

// bootTime is when the kernel started (ns since the epoch).
func (fs *FileSystem) bootTime() int64 {
	if k := fs.kernel(); k != nil {
		return k.Boot.UnixNano()
	}
	return fs.created
}

// alive reports whether p is still in the process table (not reaped).
func (fs *FileSystem) alive(p *kernel.Process) bool {
	k := fs.kernel()
	if k == nil {
		return false
	}
	q, ok := k.Process(p.PID)
	return ok && q == p
}

// Inode numbers. Inodes of the system files are small constants; those of
// a process are its pid in the upper 32 bits and what the inode is below:
// a kind, or a descriptor number with fdBit or fdinfoBit.
const (
	inoRoot = iota + 1
	inoSelf
	inoMounts
	inoMeminfo
	inoCpuinfo
	inoStat
	inoUptime
	inoLoadavg
	inoVersion
	inoFilesystems
	inoSys
	inoSysKernel
	inoHostname
	inoOstype
	inoOsrelease
)

// Kinds of per-process inodes (the low bits of their numbers).
const (
	kindDir = iota + 1
	kindCmdline
	kindComm
	kindCwd
	kindEnviron
	kindExe
	kindFD
	kindFDInfo
	kindMounts
	kindRoot
	kindStat
	kindStatm
	kindStatus
)

const (
	fdBit     = 1 << 31
	fdinfoBit = 1 << 30
	fdMask    = fdinfoBit - 1
)

func pidIno(pid int32, low uint64) uint64 { return uint64(uint32(pid))<<32 | low }

// stat returns the attributes every procfs inode shares: root's, nlink 1,
// size 0 (the content is made when read), every time t.
func stat(ino uint64, t vfs.FileType, perm uint32, time int64) vfs.Stat {
	return vfs.Stat{Ino: ino, Mode: t.ModeBits() | perm, Nlink: 1, Atime: time, Mtime: time, Ctime: time}
}

// parsePID parses a canonical positive decimal pid.
func parsePID(s string) (int32, bool) {
	if s == "" || len(s) > 10 || s[0] == '0' {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil || v <= 0 {
		return 0, false
	}
	return int32(v), true
}

// parseFD parses a canonical non-negative decimal descriptor number.
func parseFD(s string) (int32, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil || v < 0 {
		return 0, false
	}
	return int32(v), true
}

// roInode answers every change as Linux's procfs answers root (see the
// package comment). Directories override the name operations.
type roInode struct{ vfs.UnimplementedInode }

func (roInode) SetAttr(vfs.SetAttr) errno.Errno { return errno.EPERM }

// readOnlyDir gives a directory's answers to changes, from whether the
// name exists.
type readOnlyDir struct {
	roInode
	lookup func(name string) (vfs.Inode, errno.Errno)
}

func (d readOnlyDir) exists(name string) (vfs.Inode, bool) {
	in, e := d.lookup(name)
	return in, e == 0
}

func (d readOnlyDir) newName(name string) errno.Errno {
	if _, ok := d.exists(name); ok {
		return errno.EEXIST
	}
	return errno.ENOENT
}

func (d readOnlyDir) Create(name string, _ uint32) (vfs.Inode, errno.Errno) {
	return nil, d.newName(name)
}
func (d readOnlyDir) Mkdir(name string, _ uint32) errno.Errno   { return d.newName(name) }
func (d readOnlyDir) Symlink(name, _ string) errno.Errno        { return d.newName(name) }
func (d readOnlyDir) Link(name string, _ vfs.Inode) errno.Errno { return d.newName(name) }
func (d readOnlyDir) Rename(old string, _ vfs.Inode, _ string) errno.Errno {
	if _, ok := d.exists(old); !ok {
		return errno.ENOENT
	}
	return errno.EPERM
}

func (d readOnlyDir) Unlink(name string) errno.Errno {
	in, ok := d.exists(name)
	switch {
	case !ok:
		return errno.ENOENT
	case in.Type() == vfs.TypeDirectory:
		return errno.EISDIR
	}
	return errno.EPERM
}

func (d readOnlyDir) Rmdir(name string) errno.Errno {
	in, ok := d.exists(name)
	switch {
	case !ok:
		return errno.ENOENT
	case in.Type() != vfs.TypeDirectory:
		return errno.ENOTDIR
	}
	return errno.EPERM
}

// dirFile is an open procfs directory; it lists through its inode.
type dirFile struct {
	vfs.UnimplementedFile
	in vfs.Inode
}

func (f *dirFile) Seekable() bool                           { return true }
func (f *dirFile) ReadAt([]byte, int64) (int, errno.Errno)  { return 0, errno.EISDIR }
func (f *dirFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }
func (f *dirFile) Stat() (vfs.Stat, errno.Errno)            { return f.in.Stat() }
func (f *dirFile) SetAttr(vfs.SetAttr) errno.Errno          { return errno.EPERM }
func (f *dirFile) Sync(bool) errno.Errno                    { return 0 }
func (f *dirFile) ReadDir() ([]vfs.Dirent, errno.Errno)     { return f.in.ReadDir() }

func openDir(in vfs.Inode, flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags.Writable() {
		return nil, errno.EISDIR
	}
	return &dirFile{in: in}, 0
}

// staticDir is a directory with a fixed set of children (sys/,
// sys/kernel/).
type staticDir struct {
	readOnlyDir
	fs       *FileSystem
	ino      uint64
	children map[string]vfs.Inode
	dirents  []vfs.Dirent
	nlink    uint64
}

func newStaticDir(fs *FileSystem, ino uint64, children map[string]vfs.Inode) *staticDir {
	d := &staticDir{fs: fs, ino: ino, children: children, nlink: 2}
	d.lookup = d.Lookup
	for name, in := range children {
		st, _ := in.Stat()
		d.dirents = append(d.dirents, vfs.Dirent{Name: name, Ino: st.Ino, Type: in.Type()})
		if in.Type() == vfs.TypeDirectory {
			d.nlink++
		}
	}
	sort.Slice(d.dirents, func(i, j int) bool { return d.dirents[i].Name < d.dirents[j].Name })
	return d
}

func (d *staticDir) Type() vfs.FileType { return vfs.TypeDirectory }

func (d *staticDir) Stat() (vfs.Stat, errno.Errno) {
	st := stat(d.ino, vfs.TypeDirectory, 0o555, d.fs.bootTime())
	st.Nlink = d.nlink
	return st, 0
}

func (d *staticDir) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) { return openDir(d, flags) }

func (d *staticDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in, ok := d.children[name]; ok {
		return in, 0
	}
	return nil, errno.ENOENT
}

func (d *staticDir) ReadDir() ([]vfs.Dirent, errno.Errno) {
	return append([]vfs.Dirent(nil), d.dirents...), 0
}

// genInode is a regular file whose content gen makes at each open. With
// a process, it belongs to /proc/<pid> and exists while the process is
// in the table.
type genInode struct {
	roInode
	fs   *FileSystem
	ino  uint64
	perm uint32
	p    *kernel.Process // nil: a system file
	gen  func() []byte
}

var _ vfs.Inode = (*genInode)(nil)

func (g *genInode) Type() vfs.FileType { return vfs.TypeRegular }

func (g *genInode) Stat() (vfs.Stat, errno.Errno) {
	t := g.fs.bootTime()
	if g.p != nil {
		t = g.p.Started.UnixNano()
	}
	return stat(g.ino, vfs.TypeRegular, g.perm, t), 0
}

// Open snapshots the content.
//
// # Errors
//   - EACCES: write access.
//   - ENOENT: the process was reaped.
func (g *genInode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags.Writable() {
		return nil, errno.EACCES
	}
	if g.p != nil && !g.fs.alive(g.p) {
		return nil, errno.ENOENT
	}
	return &genFile{in: g, data: g.gen()}, 0
}

// genFile is an open generated file: the snapshot taken at open.
type genFile struct {
	vfs.UnimplementedFile
	in   *genInode
	data []byte
}

func (f *genFile) Seekable() bool { return true }

// ReadAt reads the snapshot; ESRCH once the file's process was reaped.
func (f *genFile) ReadAt(p []byte, off int64) (int, errno.Errno) {
	if f.in.p != nil && !f.in.fs.alive(f.in.p) {
		return 0, errno.ESRCH
	}
	if off >= int64(len(f.data)) {
		return 0, 0
	}
	return copy(p, f.data[off:]), 0
}

func (f *genFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EBADF }
func (f *genFile) Stat() (vfs.Stat, errno.Errno)            { return f.in.Stat() }
func (f *genFile) SetAttr(vfs.SetAttr) errno.Errno          { return errno.EPERM }
func (f *genFile) Sync(bool) errno.Errno                    { return 0 }

// linkInode is a symbolic link whose target is made when it is read.
type linkInode struct {
	roInode
	fs     *FileSystem
	ino    uint64
	perm   uint32 // 0777; an fd link's says its access mode, as Linux's
	p      *kernel.Process
	target func() (string, errno.Errno)
}

var _ vfs.Inode = (*linkInode)(nil)

func (l *linkInode) Type() vfs.FileType { return vfs.TypeSymlink }

func (l *linkInode) Stat() (vfs.Stat, errno.Errno) {
	t := l.fs.bootTime()
	if l.p != nil {
		t = l.p.Started.UnixNano()
	}
	return stat(l.ino, vfs.TypeSymlink, l.perm, t), 0
}

// Readlink returns the target.
//
// # Errors
//   - ENOENT: the process was reaped, or the link has no target (a
//     zombie's cwd, exe and root; a closed descriptor).
func (l *linkInode) Readlink() (string, errno.Errno) {
	if l.p != nil && !l.fs.alive(l.p) {
		return "", errno.ENOENT
	}
	return l.target()
}

// Open is reached only with O_PATH.
func (l *linkInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return &statFile{in: l}, 0
}

// statFile is an inode opened with O_PATH: it supports only fstat.
type statFile struct {
	vfs.UnimplementedFile
	in vfs.Inode
}

func (f *statFile) Stat() (vfs.Stat, errno.Errno) { return f.in.Stat() }

// selfInode is /proc/self: a link to the caller's pid.
type selfInode struct {
	roInode
	fs *FileSystem
}

var (
	_ vfs.Inode      = (*selfInode)(nil)
	_ vfs.CallerLink = (*selfInode)(nil)
)

func (s *selfInode) Type() vfs.FileType { return vfs.TypeSymlink }

func (s *selfInode) Stat() (vfs.Stat, errno.Errno) {
	return stat(inoSelf, vfs.TypeSymlink, 0o777, s.fs.bootTime()), 0
}

// Readlink without a caller: there is no self (ENOENT).
func (s *selfInode) Readlink() (string, errno.Errno) { return "", errno.ENOENT }

// ReadlinkAs returns the caller's pid.
func (s *selfInode) ReadlinkAs(c vfs.Caller) (string, errno.Errno) {
	if c == nil {
		return "", errno.ENOENT
	}
	return strconv.Itoa(int(c.CallerPID())), 0
}

func (s *selfInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return &statFile{in: s}, 0
}

// rootInode is /proc: the system files and one directory per process.
type rootInode struct {
	*staticDir
}

func newRoot(fs *FileSystem) *rootInode {
	sysFile := func(ino uint64, gen func() []byte) *genInode {
		return &genInode{fs: fs, ino: ino, perm: 0o444, gen: gen}
	}
	k := map[string]vfs.Inode{
		"hostname":  sysFile(inoHostname, func() []byte { return line(kernel.Uname().Nodename) }),
		"ostype":    sysFile(inoOstype, func() []byte { return line(kernel.Uname().Sysname) }),
		"osrelease": sysFile(inoOsrelease, func() []byte { return line(kernel.Uname().Release) }),
	}
	sys := newStaticDir(fs, inoSys, map[string]vfs.Inode{"kernel": newStaticDir(fs, inoSysKernel, k)})
	children := map[string]vfs.Inode{
		"self":        &selfInode{fs: fs},
		"mounts":      &linkInode{fs: fs, ino: inoMounts, perm: 0o777, target: func() (string, errno.Errno) { return "self/mounts", 0 }},
		"meminfo":     sysFile(inoMeminfo, fs.meminfo),
		"cpuinfo":     sysFile(inoCpuinfo, fs.cpuinfo),
		"stat":        sysFile(inoStat, fs.statFile),
		"uptime":      sysFile(inoUptime, fs.uptime),
		"loadavg":     sysFile(inoLoadavg, fs.loadavg),
		"version":     sysFile(inoVersion, fs.version),
		"filesystems": sysFile(inoFilesystems, fs.filesystems),
		"sys":         sys,
	}
	r := &rootInode{staticDir: newStaticDir(fs, inoRoot, children)}
	r.lookup = r.Lookup
	return r
}

var _ vfs.Inode = (*rootInode)(nil)

func (r *rootInode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) { return openDir(r, flags) }

// Lookup finds a system file, or the directory of a process in the table.
func (r *rootInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in, ok := r.children[name]; ok {
		return in, 0
	}
	pid, ok := parsePID(name)
	if !ok {
		return nil, errno.ENOENT
	}
	k := r.fs.kernel()
	if k == nil {
		return nil, errno.ENOENT
	}
	p, ok := k.Process(pid)
	if !ok {
		return nil, errno.ENOENT
	}
	return &pidDir{fs: r.fs, p: p}, 0
}

// ReadDir lists the system files, then the pids in the table, ascending.
func (r *rootInode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	out := append([]vfs.Dirent(nil), r.dirents...)
	if k := r.fs.kernel(); k != nil {
		for _, pid := range k.PIDs() {
			out = append(out, vfs.Dirent{Name: strconv.Itoa(int(pid)), Ino: pidIno(pid, kindDir), Type: vfs.TypeDirectory})
		}
	}
	return out, 0
}

func (r *rootInode) Stat() (vfs.Stat, errno.Errno) {
	st, _ := r.staticDir.Stat()
	if k := r.fs.kernel(); k != nil {
		st.Nlink += uint64(k.Count())
	}
	return st, 0
}

// line returns s and a newline.
func line(s string) []byte { return append([]byte(s), '\n') }
