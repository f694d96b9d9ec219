package fuseview

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/occlumgo/occlum/core/vfs"
)

// cacheTimeout is how long the kernel may keep entries and attributes.
const cacheTimeout = time.Second

// Error is a refusal to mount, with what to do about it.
type Error struct {
	Msg  string // one line
	Hint string // what to do; may be empty
	Err  error  // the underlying error, if any
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// FuseDebianPackage is the Debian package with fusermount3, what a user
// other than root mounts FUSE file systems with.
const FuseDebianPackage = "fuse3"

// Host is what mounting needs from the machine.
type Host struct {
	// DevFuse is the FUSE device ("/dev/fuse").
	DevFuse string
	// Root mounts with mount(2) directly; others need fusermount3.
	Root bool
	// LookPath finds a program (exec.LookPath).
	LookPath func(string) (string, error)
}

// ThisHost is this machine, as the current user sees it.
func ThisHost() Host {
	return Host{DevFuse: "/dev/fuse", Root: os.Geteuid() == 0, LookPath: exec.LookPath}
}

// fusermount finds fusermount3 (or the older fusermount), as go-fuse does.
func (h Host) fusermount() (string, error) {
	for _, name := range []string{"fusermount3", "fusermount"} {
		if p, err := h.LookPath(name); err == nil {
			return p, nil
		}
		if p, err := h.LookPath(filepath.Join("/bin", name)); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// Check says whether the host can mount a FUSE file system: /dev/fuse
// must exist, and fusermount3 be installed for a user other than root.
func (h Host) Check() error {
	if _, err := os.Stat(h.DevFuse); err != nil {
		return &Error{Msg: fmt.Sprintf("FUSE is not available: %s does not exist", h.DevFuse),
			Hint: "load the kernel's FUSE module (modprobe fuse); in a container, give it the device (e.g. docker run --device /dev/fuse --cap-add SYS_ADMIN)",
			Err:  err}
	}
	if !h.Root {
		if _, err := h.fusermount(); err != nil {
			return noFusermount(err)
		}
	}
	return nil
}

func noFusermount(err error) error {
	return &Error{Msg: "fusermount3 is not installed: mounting with FUSE as a user other than root needs it",
		Hint: "install the Debian package " + FuseDebianPackage + " (apt-get install " + FuseDebianPackage + ")", Err: err}
}

// CheckMountPoint says whether dir can be mounted on: an existing, empty
// directory (a mount would hide what is in it), not a stale FUSE mount.
func CheckMountPoint(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, syscall.ENOTCONN):
		return &Error{Msg: fmt.Sprintf("%s is a FUSE mount whose server is gone", dir),
			Hint: fmt.Sprintf("unmount it first: fusermount3 -u %s (as root: umount %s)", dir, dir), Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Msg: fmt.Sprintf("mount point %s does not exist", dir),
			Hint: fmt.Sprintf("make an empty directory to mount on: mkdir %s", dir), Err: err}
	case err != nil:
		return &Error{Msg: fmt.Sprintf("mount point %s: %v", dir, err), Err: err}
	case !st.IsDir():
		return &Error{Msg: fmt.Sprintf("mount point %s is not a directory", dir),
			Hint: "give an empty directory to mount on"}
	}
	f, err := os.Open(dir)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("mount point %s: %v", dir, err), Err: err}
	}
	names, err := f.Readdirnames(1)
	f.Close()
	if err != nil && err != io.EOF {
		return &Error{Msg: fmt.Sprintf("mount point %s: %v", dir, err), Err: err}
	}
	if len(names) > 0 {
		return &Error{Msg: fmt.Sprintf("mount point %s is not empty", dir),
			Hint: "mount on an empty directory: the mount would hide what is in it"}
	}
	return nil
}

// MountOptions configure Mount.
type MountOptions struct {
	Options
	// Name is the file system type's name, shown as fuse.NAME in
	// /proc/mounts; FsName is its source column.
	Name, FsName string
	// Host is the machine (zero: ThisHost()).
	Host Host
	// Logger receives go-fuse's messages (nil: none); Debug logs every
	// FUSE request.
	Logger *log.Logger
	Debug  bool
}

// Server is a mounted view.
type Server struct {
	srv    *fuse.Server
	dir    string
	direct bool // mounted with mount(2), not fusermount3

	mu   sync.Mutex
	done bool // unmounted by Unmount
}

// Dir is the mount point (absolute).
func (s *Server) Dir() string { return s.dir }

// Mount mounts the view of fsys on dir, an empty directory, and serves it
// until it is unmounted (Unmount, or fusermount3 -u / umount by anyone).
// root mounts with mount(2); other users through fusermount3.
func Mount(dir string, fsys vfs.FileSystem, o MountOptions) (*Server, error) {
	if o.Host.DevFuse == "" {
		o.Host = ThisHost()
	}
	if err := o.Host.Check(); err != nil {
		return nil, err
	}
	if err := CheckMountPoint(dir); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	raw, err := NewRawFS(fsys, o.Options)
	if err != nil {
		return nil, fmt.Errorf("the root of the file system: %w", err)
	}
	logger := o.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	if o.Name == "" {
		o.Name = "fuseview"
	}
	mo := fuse.MountOptions{
		Name: o.Name, FsName: o.FsName,
		DirectMount:      o.Host.Root,
		DirectMountFlags: syscall.MS_NOSUID | syscall.MS_NODEV,
		DisableXAttrs:    true,
		Logger:           logger,
		Debug:            o.Debug,
	}
	if o.ReadOnly {
		mo.Options = append(mo.Options, "ro")
		mo.DirectMountFlags |= syscall.MS_RDONLY
	}
	srv, err := fuse.NewServer(raw, abs, &mo)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, noFusermount(err)
		}
		return nil, &Error{Msg: fmt.Sprintf("mounting on %s: %v", dir, err), Err: err,
			Hint: "root mounts with mount(2) (CAP_SYS_ADMIN); other users through fusermount3 (Debian package " + FuseDebianPackage + ")"}
	}
	go srv.Serve()
	if err := srv.WaitMount(); err != nil {
		srv.Unmount()
		return nil, fmt.Errorf("mounting on %s: %w", dir, err)
	}
	return &Server{srv: srv, dir: abs, direct: o.Host.Root}, nil
}

// ErrBusy is an unmount refused because files or directories of the
// mount are in use (a shell's working directory, an open file).
var ErrBusy = errors.New("the mount is in use")

// Unmount unmounts the view. When something on the host still uses it,
// it returns ErrBusy and the view stays mounted. Unmounting a view that
// is no longer mounted does nothing.
func (s *Server) Unmount() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	err := s.unmount()
	if err == nil {
		s.done = true
	}
	return err
}

func (s *Server) unmount() error {
	if s.direct {
		// go-fuse would fall back to fusermount3 on any error and hide
		// the reason: unmount here, then let the server's loops end.
		switch err := syscall.Unmount(s.dir, 0); {
		case errors.Is(err, syscall.EBUSY):
			return fmt.Errorf("%w: %s", ErrBusy, s.dir)
		case errors.Is(err, syscall.EINVAL):
			// Not a mount point (any more): unmounted by someone else.
		case err != nil:
			return fmt.Errorf("unmounting %s: %w", s.dir, err)
		}
		s.srv.Wait()
		return nil
	}
	err := s.srv.Unmount()
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.EBUSY) || isBusyMessage(err) {
		return fmt.Errorf("%w: %s", ErrBusy, s.dir)
	}
	return fmt.Errorf("unmounting %s: %w", s.dir, err)
}

// isBusyMessage recognizes fusermount3's "Device or resource busy".
func isBusyMessage(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "busy")
}

// Wait returns once the view is unmounted (by Unmount, or by anyone with
// fusermount3 -u or umount) and every request is answered.
func (s *Server) Wait() { s.srv.Wait() }
