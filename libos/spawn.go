package libos

import (
	"context"
	"errors"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/sfi"
)

var _ kernel.Executor = (*LibOS)(nil)

// Spawn implements kernel.Executor: posix_spawn. The child starts with a
// copy of the parent's descriptor table, the file actions applied in
// order, then FD_CLOEXEC descriptors closed; its program path is resolved
// in its working directory (after any chdir action).
func (l *LibOS) Spawn(ctx context.Context, parent *kernel.Process, req kernel.SpawnRequest) (*kernel.Process, errno.Errno) {
	fds := parent.FDs.Fork()
	cwd, e := l.applyFileActions(parent, fds, req.Actions)
	if e != 0 {
		fds.CloseAll()
		return nil, e
	}
	fds.CloseCloexec()
	path := vfs.Join(cwd, req.Path)
	prog, exe, e := l.load(ctx, parent.VFS(), path)
	if e != 0 {
		fds.CloseAll()
		return nil, e
	}
	// The child's initial memory is taken now: no room in user_space_size
	// is the parent's ENOMEM, not a child that dies at birth.
	res, err := l.loader.Reserve(path, prog)
	if err != nil {
		l.log.Info("spawn refused", zap.String("path", path), zap.Error(err))
		fds.CloseAll()
		return nil, errno.ENOMEM
	}
	child, e := l.kernel.NewProcess(parent, req.Argv, req.Env, cwd, fds)
	if e != 0 {
		res.Release()
		fds.CloseAll()
		return nil, e
	}
	child.SetProgram(path, exe, req.Argv, req.Env)
	if a := req.Attr; a != nil {
		if a.Flags&kernel.SpawnSetPgroup != 0 {
			if e := parent.Setpgid(child.PID, a.Pgroup); e != 0 {
				res.Release()
				child.Exit(kernel.Exited(127))
				l.kernel.Reap(child)
				return nil, e
			}
		}
		if a.Flags&kernel.SpawnSetSigMask != 0 {
			mask := a.SigMask
			child.Sigprocmask(kernel.SigSetmask, &mask)
		}
		if a.Flags&kernel.SpawnSetSigDef != 0 {
			child.SetSignalDefaults(a.SigDefault)
		}
	}
	l.running.Add(1)
	go l.runProcess(l.processContext(ctx), child, res)
	return child, 0
}

// processContext is the context a new process runs under: the current
// Run's, so that the process outlives its parent but not the LibOS.
func (l *LibOS) processContext(fallback context.Context) context.Context {
	if c := l.runCtx.Load(); c != nil {
		return *c
	}
	return context.WithoutCancel(fallback)
}

// applyFileActions runs posix_spawn file actions on fds and returns the
// child's working directory.
func (l *LibOS) applyFileActions(parent *kernel.Process, fds *fdtable.Table, actions []kernel.FileAction) (string, errno.Errno) {
	cwd := parent.Cwd()
	ns := parent.VFS()
	for _, a := range actions {
		switch a.Op {
		case kernel.ActionOpen:
			f, e := ns.Open(vfs.Join(cwd, a.Path), vfs.OpenFlags(a.Flags), a.Mode&^parent.Umask(), fds)
			if e != 0 {
				return "", e
			}
			if e := fds.Set(a.FD, f, vfs.OpenFlags(a.Flags)&vfs.O_CLOEXEC != 0); e != 0 {
				f.DecRef()
				return "", e
			}
		case kernel.ActionClose:
			fds.Remove(a.FD) // closing a descriptor that is not open is not an error
		case kernel.ActionDup2:
			f, e := fds.Get(a.FD)
			if e != 0 {
				return "", e
			}
			if e := fds.Set(a.NewFD, f, false); e != 0 {
				f.DecRef()
				return "", e
			}
		case kernel.ActionChdir:
			d, e := ns.Resolve(vfs.Join(cwd, a.Path), true)
			if e != 0 {
				return "", e
			}
			if d.Inode.Type() != vfs.TypeDirectory {
				return "", errno.ENOTDIR
			}
			cwd = d.Path
		case kernel.ActionFchdir:
			f, e := fds.Get(a.FD)
			if e != 0 {
				return "", e
			}
			d := f.Dentry()
			f.DecRef()
			if d.Inode == nil || d.Inode.Type() != vfs.TypeDirectory {
				return "", errno.ENOTDIR
			}
			cwd = d.Path
		default:
			return "", errno.EINVAL
		}
	}
	return cwd, 0
}

// load reads and verifies the program at the absolute path p, resolved in
// ns (the caller's view), for spawn and execve: the errno is what the
// syscall returns (EACCES for a file without any execute bit, as Linux
// gives root), the loader's reason is logged. It also returns the
// program's canonical path (symbolic links resolved: /proc/<pid>/exe).
func (l *LibOS) load(ctx context.Context, ns *vfs.Namespace, p string) (*sfi.Program, string, errno.Errno) {
	// A program file unchanged since it was last loaded (same device,
	// inode, size, modification and change times) is not read and hashed
	// again. A stale hit can only run the program verified before, never
	// unverified code.
	var st vfs.Stat
	exe := p
	d, se := ns.Resolve(p, true)
	if se == 0 {
		exe = d.Path
		st, se = d.Stat()
	}
	key := programKey{path: p, dev: st.Dev, ino: st.Ino, size: st.Size, mtime: st.Mtime, ctime: st.Ctime}
	if se == 0 {
		if prog, ok := l.programs.Load(key); ok {
			return prog.(*sfi.Program), exe, 0
		}
	}
	bin, err := l.readProgram(ns, p)
	if err != nil {
		var pe *ProgramError
		if errors.As(err, &pe) {
			return nil, "", pe.Errno
		}
		return nil, "", errno.EIO
	}
	prog, err := l.loader.Load(ctx, p, bin)
	if err != nil {
		l.log.Info("program refused", zap.String("path", p), zap.Error(err))
		return nil, "", errno.ENOEXEC
	}
	if se == 0 {
		l.programs.Store(key, prog)
	}
	return prog, exe, 0
}

// programKey identifies a program file's content without reading it.
type programKey struct {
	path               string
	dev, ino           uint64
	size, mtime, ctime int64
}

// Exec implements kernel.Executor: execve. On success the current program
// is unwound and runProcess starts the new one in the same process.
func (l *LibOS) Exec(ctx context.Context, p *kernel.Process, mod api.Module, path string, argv, env []string) errno.Errno {
	abs := p.Abs(path)
	prog, exe, e := l.load(ctx, p.VFS(), abs)
	if e != 0 {
		return e
	}
	p.FDs.CloseCloexec()
	p.ResetHandlers()
	p.SetProgram(abs, exe, argv, env)
	l.execs.Store(p, prog)
	_ = mod.CloseWithExitCode(ctx, 0)
	panic(sys.NewExitError(0))
}
