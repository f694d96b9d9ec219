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
	r   io.Reader
	w   io.Writer
	tty bool

	wmu sync.Mutex // serializes writes: every process may share the stream
}

var _ vfs.FileImpl = (*hostStream)(nil)

func newHostStream(r io.Reader, w io.Writer) *hostStream {
	s := &hostStream{r: r, w: w}
	var f *os.File
	if rf, ok := r.(*os.File); ok {
		f = rf
	} else if wf, ok := w.(*os.File); ok {
		f = wf
	}
	if f != nil {
		_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		s.tty = err == nil
	}
	return s
}

// IsTerminal reports whether the host stream is a terminal (isatty).
func (s *hostStream) IsTerminal() bool { return s.tty }

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
