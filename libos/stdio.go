package libos

import (
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// hostStream is a host stream (the stdin, stdout or stderr of the LibOS)
// seen by guests as a character device. What the host gives back is
// untrusted: a reader that reports more bytes than asked is cut to EIO.
type hostStream struct {
	vfs.UnimplementedFile
	r    io.Reader
	w    io.Writer
	tty  bool
	name string // what /proc/<pid>/fd shows for it when it is no terminal

	wmu sync.Mutex // serializes writes: every process may share the stream
}

var _ vfs.FileImpl = (*hostStream)(nil)

func newHostStream(r io.Reader, w io.Writer, name string) *hostStream {
	s := &hostStream{r: r, w: w, name: name}
	if rf, ok := r.(*os.File); ok {
		s.tty = isTerminal(rf)
	} else if wf, ok := w.(*os.File); ok {
		s.tty = isTerminal(wf)
	}
	return s
}

// isTerminal reports whether the host file is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// terminal returns what opens devfs's tty: when the LibOS's standard input
// is a terminal, a stream reading it and writing to the first of stdout
// and stderr that is a terminal too (else to the input's own descriptor,
// a terminal being read-write); nil otherwise.
func terminal(stdin io.Reader, outs ...io.Writer) func() (vfs.FileImpl, errno.Errno) {
	in, ok := stdin.(*os.File)
	if !ok || !isTerminal(in) {
		return nil
	}
	var w io.Writer = in
	for _, o := range outs {
		if f, ok := o.(*os.File); ok && isTerminal(f) {
			w = f
			break
		}
	}
	return func() (vfs.FileImpl, errno.Errno) {
		return &hostStream{r: in, w: w, tty: true}, 0
	}
}

// IsTerminal reports whether the host stream is a terminal (isatty).
func (s *hostStream) IsTerminal() bool { return s.tty }

// ProcName is what /proc/<pid>/fd shows for the stream: /dev/tty for the
// terminal (the LibOS has no /dev/pts), else an anonymous inode's name (a
// host pipe or file is nothing the LibOS could open by path).
func (s *hostStream) ProcName() string {
	if s.tty || s.name == "" {
		return "/dev/tty"
	}
	return "anon_inode:[" + s.name + "]"
}

func (s *hostStream) Read(p []byte) (int, errno.Errno) {
	if s.r == nil {
		return 0, errno.EBADF
	}
	n, err := s.r.Read(p)
	if n < 0 || n > len(p) {
		return 0, errno.EIO
	}
	if err != nil && err != io.EOF && n == 0 {
		return 0, errno.FromError(err)
	}
	return n, 0
}

func (s *hostStream) Write(p []byte) (int, errno.Errno) {
	if s.w == nil {
		return 0, errno.EBADF
	}
	s.wmu.Lock()
	n, err := s.w.Write(p)
	s.wmu.Unlock()
	if err != nil {
		if n > 0 && n <= len(p) {
			return n, 0
		}
		return 0, errno.FromError(err)
	}
	return n, 0
}

func (s *hostStream) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeCharDev.ModeBits() | 0o620, Nlink: 1, Rdev: 136<<8 | 0}, 0
}

func (s *hostStream) Sync(bool) errno.Errno { return 0 }

func (s *hostStream) SetAttr(vfs.SetAttr) errno.Errno { return 0 }
