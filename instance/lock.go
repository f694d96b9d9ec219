package instance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// LockFile is the instance's lock, an flock(2) that keeps `occlum run`
// and `occlum mount` apart (docs/mount.md): every LibOS run holds it
// shared for as long as it runs (runs of one instance are kept apart by
// their container layer's own lock, see fs/sefs), and `occlum mount`
// holds it exclusively for as long as the root is mounted, read-only or
// not. So a mount is refused while the instance runs, and a run while it
// is mounted. The holder of the exclusive lock writes who it is into the
// file; the kernel releases the lock when its holder exits, however it
// exits.
const LockFile = RunDir + "/occlum.lock"

// ErrInUse is a lock held by another run or mount of the instance.
var ErrInUse = errors.New("instance in use")

// Lock is a held instance lock.
type Lock struct {
	f         *os.File
	exclusive bool
}

func openLockFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Join(dir, RunDir), 0o700); err != nil {
		return nil, fmt.Errorf("the instance lock: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the instance lock: %w", err)
	}
	return f, nil
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// LockForRun takes the instance lock for a LibOS run (shared). It fails
// with ErrInUse, naming the mount, while the instance is mounted.
func LockForRun(dir string) (*Lock, error) {
	f, err := openLockFile(dir)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_SH); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &Error{Kind: ErrInUse,
				Msg:  fmt.Sprintf("the instance is mounted (%s): it cannot run meanwhile", holder(f, "by `occlum mount`")),
				Hint: "unmount it first: Ctrl-C the `occlum mount`, or fusermount3 -u DIR (as root: umount DIR)"}
		}
		return nil, fmt.Errorf("the instance lock: %w", err)
	}
	// Whatever an earlier mount wrote is stale now (it would have the
	// lock): clear it, so that a mount refused by this run says "running".
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		f.Truncate(0)
	}
	return &Lock{f: f}, nil
}

// LockForMount takes the instance lock for `occlum mount` (exclusive) and
// records what holds it (who: "occlum mount (pid N) on DIR", say). It
// fails with ErrInUse while the instance runs or is mounted.
func LockForMount(dir, who string) (*Lock, error) {
	f, err := openLockFile(dir)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_EX); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if h := holder(f, ""); h != "" {
				return nil, &Error{Kind: ErrInUse, Msg: fmt.Sprintf("the instance is already mounted (%s)", h),
					Hint: "use that mount, or unmount it first (Ctrl-C it, or fusermount3 -u DIR)"}
			}
			return nil, &Error{Kind: ErrInUse, Msg: "the instance is running (an `occlum run` of it holds " + LockFile + ")",
				Hint: "mount it once the program has exited: a mount of a running instance would show, or change, its files under it"}
		}
		return nil, fmt.Errorf("the instance lock: %w", err)
	}
	f.Truncate(0)
	fmt.Fprintf(f, "%s since %s\n", who, time.Now().UTC().Format(time.RFC3339))
	return &Lock{f: f, exclusive: true}, nil
}

// holder reads who holds the lock exclusively (or returns def).
func holder(f *os.File, def string) string {
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	if s := strings.TrimSpace(string(b[:n])); s != "" {
		return s
	}
	return def
}

// Release releases the lock (a mount's record is cleared first).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	if l.exclusive {
		l.f.Truncate(0)
	}
	err := l.f.Close()
	l.f = nil
	return err
}
