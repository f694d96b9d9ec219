package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/logging"
)

// mountOptions are those of `occlum-libos mount`.
type mountOptions struct {
	dir, mountPoint, secretFile, imageKey string
	rw                                    bool
	readyFD                               int
	stdout, stderr                        io.Writer
	// stop, if set, unmounts as a signal does (tests).
	stop <-chan struct{}
}

// doMount runs `occlum-libos mount ARGS` and returns the exit status.
func doMount(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("occlum-libos mount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("instance", "", "the instance directory")
	secret := fs.String("sim-key", os.Getenv("OCCLUM_SIM_SECRET"), "the machine key file of the simulated platform")
	imageKey := fs.String("image-key", "", "key file of an encrypted image")
	rw := fs.Bool("rw", false, "mount read-write (changes go to the container layer)")
	readyFD := fs.Int("ready-fd", -1, "file descriptor to write \"ok\" to once mounted, then close")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "occlum-libos: mount needs --instance DIR and the MOUNTPOINT")
		return 2
	}
	err := mount(mountOptions{dir: *dir, mountPoint: fs.Arg(0), secretFile: *secret, imageKey: *imageKey,
		rw: *rw, readyFD: *readyFD, stdout: stdout, stderr: stderr, stop: stop})
	if err != nil {
		report(stderr, err)
		return 1
	}
	return 0
}

// mount shows the instance's root file system on o.mountPoint until a
// signal (or o.stop) unmounts it, or someone else does, then closes the
// layers (a writable container layer commits).
func mount(o mountOptions) error {
	log, err := logging.FromEnv()
	if err != nil {
		return err
	}
	defer log.Sync()
	// Caught from the start to the end: a Ctrl-C reaches us twice (from
	// the terminal and forwarded by `occlum mount`), and the second must
	// not kill us while we commit.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	// `occlum mount --background` waits for "ok" on --ready-fd (closed
	// without it: the mount failed, and stderr says why).
	var ready *os.File
	if o.readyFD >= 0 {
		if ready = os.NewFile(uintptr(o.readyFD), "ready"); ready == nil {
			return fmt.Errorf("--ready-fd %d is not an open file", o.readyFD)
		}
		defer func() {
			if ready != nil {
				ready.Close()
			}
		}()
	}
	built, plat, key, err := open(o.dir, o.secretFile, o.imageKey, log)
	if err != nil {
		return err
	}
	if err := fuseview.CheckMountPoint(o.mountPoint); err != nil {
		return err
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	at, err := filepath.Abs(o.mountPoint)
	if err != nil {
		return err
	}
	mode := "read-only"
	if o.rw {
		mode = "read-write"
	}
	lock, err := instance.LockForMount(dir, fmt.Sprintf("occlum mount (pid %d, %s) on %s", os.Getpid(), mode, at))
	if err != nil {
		return err
	}
	defer lock.Release()
	root, cleanup, err := libos.MountRoot(libos.Options{
		Config: built.Config, InstanceDir: dir, ImageRoot: built.ImageRoot(), ImageKey: key,
		Platform: plat, Logger: log, Stderr: o.stderr,
	}, !o.rw)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := fuseview.ThisHost().Check(); err != nil {
		return err
	}
	log.Info("mounting", zap.String("platform", plat.Name()), zap.Stringer("measurement", plat.Measurement()),
		zap.String("at", at), zap.Bool("rw", o.rw))
	srv, err := fuseview.Mount(at, root, fuseview.MountOptions{Options: fuseview.Options{ReadOnly: !o.rw},
		Name: "occlum", FsName: dir})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "Mounted the root file system of %s on %s (%s).\n", dir, at, mode)
	fmt.Fprintf(o.stdout, "Ctrl-C (or fusermount3 -u %s) unmounts it; the instance cannot run until then.\n", at)
	if ready != nil {
		io.WriteString(ready, "ok\n")
		ready.Close()
		ready = nil
	}
	err = serve(srv, sigs, o)
	if o.rw {
		// Close commits too, but reports only to the log: commit here to
		// say whether it worked.
		if s, ok := root.(vfs.Syncer); ok {
			if e := s.Sync(); e != 0 {
				return fmt.Errorf("committing the changes to the container layer: %w", e)
			}
		}
	}
	return err
}

// serve waits until the view is unmounted: by a signal (SIGINT, SIGTERM,
// SIGHUP) or o.stop, or from outside. A mount still in use stays mounted
// and says so; the next signal tries again.
func serve(srv *fuseview.Server, sigs <-chan os.Signal, o mountOptions) error {
	done := make(chan struct{})
	go func() {
		srv.Wait()
		close(done)
	}()
	for {
		select {
		case <-done:
			return nil
		case <-sigs:
		case <-o.stop:
			o.stop = nil
		}
		err := srv.Unmount()
		switch {
		case errors.Is(err, fuseview.ErrBusy):
			fmt.Fprintf(o.stderr, "occlum-libos: %s is in use (a shell's working directory, an open file): leave it, then Ctrl-C again\n", srv.Dir())
		case err != nil:
			return err
		default:
			<-done
			return nil
		}
	}
}
