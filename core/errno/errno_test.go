package errno_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
)

func TestFromError(t *testing.T) {
	dir := t.TempDir()
	_, openErr := os.Open(filepath.Join(dir, "missing"))
	linkErr := os.Link(filepath.Join(dir, "missing"), filepath.Join(dir, "x"))
	_, readlinkErr := os.Readlink(dir) // not a symlink: EINVAL
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, escapeErr := root.Open("../outside")
	closed, _ := os.Open(dir)
	closed.Close()
	_, closedErr := closed.Stat()

	for _, c := range []struct {
		name string
		err  error
		want errno.Errno
	}{
		{"nil", nil, errno.ESUCCESS},
		{"Errno", errno.ENOTDIR, errno.ENOTDIR},
		{"wrapped Errno", fmt.Errorf("op: %w", errno.EROFS), errno.EROFS},
		{"syscall.Errno", syscall.ENOENT, errno.ENOENT},
		{"syscall.EAGAIN", syscall.EAGAIN, errno.EAGAIN},
		{"unnamed syscall.Errno", syscall.Errno(133), errno.Errno(133)},
		{"syscall.Errno out of range", syscall.Errno(70000), errno.EIO},
		{"wrapped syscall.Errno", fmt.Errorf("x: %w", syscall.EXDEV), errno.EXDEV},
		{"PathError", &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, errno.EACCES},
		{"LinkError", &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.ENOTEMPTY}, errno.ENOTEMPTY},
		{"SyscallError", os.NewSyscallError("fsync", syscall.EIO), errno.EIO},
		{"real open", openErr, errno.ENOENT},
		{"real link", linkErr, errno.ENOENT},
		{"real readlink", readlinkErr, errno.EINVAL},
		{"os.Root escape", escapeErr, errno.EACCES},
		{"escape text wrapped", fmt.Errorf("a: %w", &os.PathError{Op: "open", Path: "..", Err: errors.New("path escapes from parent")}), errno.EACCES},
		{"use of closed file", closedErr, errno.EBADF},
		{"fs.ErrNotExist", fs.ErrNotExist, errno.ENOENT},
		{"os.ErrNotExist wrapped", &os.PathError{Op: "stat", Path: "x", Err: os.ErrNotExist}, errno.ENOENT},
		{"fs.ErrExist", fs.ErrExist, errno.EEXIST},
		{"fs.ErrPermission", fmt.Errorf("w: %w", fs.ErrPermission), errno.EACCES},
		{"fs.ErrInvalid", fs.ErrInvalid, errno.EINVAL},
		{"fs.ErrClosed", fs.ErrClosed, errno.EBADF},
		{"os.ErrClosed", os.ErrClosed, errno.EBADF},
		{"other", errors.New("something"), errno.EIO},
		{"io.EOF", io.EOF, errno.EIO},
	} {
		if c.err == nil && c.name != "nil" {
			t.Errorf("%s: the host gave no error to translate", c.name)
			continue
		}
		if got := errno.FromError(c.err); got != c.want {
			t.Errorf("%s: FromError(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

func TestErrnoIsError(t *testing.T) {
	var err error = fmt.Errorf("read: %w", errno.ENOENT)
	var e errno.Errno
	if !errors.As(err, &e) || e != errno.ENOENT {
		t.Errorf("errors.As = %v", e)
	}
	if !errors.Is(err, errno.ENOENT) || errors.Is(err, errno.EIO) {
		t.Error("errors.Is does not compare numbers")
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		e          errno.Errno
		name, text string
	}{
		{errno.ENOENT, "ENOENT", "ENOENT (no such file or directory)"},
		{errno.EAGAIN, "EAGAIN", "EAGAIN (resource temporarily unavailable)"},
		{errno.EWOULDBLOCK, "EAGAIN", "EAGAIN (resource temporarily unavailable)"},
		{errno.ENOTSUP, "EOPNOTSUPP", "EOPNOTSUPP (operation not supported)"},
		{errno.ELOOP, "ELOOP", "ELOOP (too many levels of symbolic links)"},
		{errno.ENOTCAPABLE, "ENOTCAPABLE", "ENOTCAPABLE (capabilities insufficient)"},
		{errno.EOWNERDEAD, "EOWNERDEAD", "EOWNERDEAD (owner died)"},
		{errno.Errno(4000), "E4000", "E4000 (errno 4000)"},
		{errno.Errno(65535), "E65535", "E65535 (errno 65535)"},
	} {
		if got := c.e.Name(); got != c.name {
			t.Errorf("Errno(%d).Name() = %q, want %q", uint16(c.e), got, c.name)
		}
		if got := c.e.Error(); got != c.text {
			t.Errorf("Errno(%d).Error() = %q, want %q", uint16(c.e), got, c.text)
		}
	}
	// Every number below 256 has a distinct name that matches Error.
	seen := map[string]errno.Errno{}
	for v := range 256 {
		e := errno.Errno(v)
		n := e.Name()
		if !strings.HasPrefix(n, "E") {
			t.Errorf("Errno(%d).Name() = %q", v, n)
		}
		if prev, ok := seen[n]; ok {
			t.Errorf("Errno(%d) and Errno(%d) are both %s", prev, v, n)
		}
		seen[n] = e
		if !strings.HasPrefix(e.Error(), n+" (") {
			t.Errorf("Errno(%d).Error() = %q does not start with its name", v, e.Error())
		}
	}
}
