package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/instance"
)

func (a *app) mountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mount DIR",
		Short: "Mount the instance's secure root file system on DIR with FUSE, for inspection",
		Long: `mount shows the LibOS's root file system — the container layer
(run/mount/__ROOT) over the image layer (build/mount/__ROOT), decrypted and
checked block by block — on the host directory DIR, which must be empty, with
FUSE, for inspection and debugging. It verifies the instance as ` + "`occlum run`" + ` does
and has the instance's LibOS (build/bin/occlum-libos) mount the layers with
the same keys: --image-key for an encrypted image, the platform's sealing key
for the container layer.

The mount is read-only unless --rw is given; with --rw, what you change goes
into the container layer, sealed, and is committed at every fsync, every 5
seconds and at the unmount. mount stays in the foreground until Ctrl-C
(SIGINT or SIGTERM), or until DIR is unmounted (fusermount3 -u DIR, or umount
DIR as root), then unmounts and exits 0. With --background it returns once DIR
is mounted, and the mount lasts until DIR is unmounted.

While the instance is mounted it cannot run (` + "`occlum run`" + ` is refused), and it
cannot be mounted while it runs or is mounted elsewhere: see docs/mount.md.
Mounting needs /dev/fuse, and for users other than root fusermount3 (Debian
package fuse3).`,
		Example: "  mkdir /tmp/root && occlum mount /tmp/root\n  occlum mount --rw --image-key image.key /tmp/root",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &usageError{"mount needs exactly one argument, the empty directory to mount on: occlum mount DIR"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.mount(args[0])
		},
	}
	f := cmd.Flags()
	f.Bool("rw", false, "mount read-write: changes go into the container layer")
	f.Bool("background", false, "return once mounted; the mount lasts until DIR is unmounted")
	f.String("image-key", "", "the key of an encrypted image (occlum build --image-key)")
	f.String("mrsigner", "", "trust builds signed by this MRSIGNER (64 hex digits; default: the signer recorded by the last build here)")
	a.bindAs("mount.rw", "rw", f, "")
	a.bindAs("mount.background", "background", f, "")
	a.bindAs("mount.image-key", "image-key", f, "")
	a.bindAs("mount.mrsigner", "mrsigner", f, "OCCLUM_MRSIGNER")
	return cmd
}

// hostError gives a fuseview refusal its hint line.
func hostError(err error) error {
	var fe *fuseview.Error
	if errors.As(err, &fe) && fe.Hint != "" {
		return withHint(err, fe.Hint)
	}
	return err
}

func (a *app) mount(at string) error {
	if err := fuseview.CheckMountPoint(at); err != nil {
		return hostError(err)
	}
	if err := a.fuse.Check(); err != nil {
		return hostError(err)
	}
	dir := a.instanceDir()
	built, err := instance.Verify(dir)
	if err != nil {
		return err
	}
	want, from, err := instance.TrustedSigner(dir, a.v.GetString("mount.mrsigner"))
	if err != nil {
		return err
	}
	if err := instance.CheckSigner(built, want, from); err != nil {
		return err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	absAt, err := filepath.Abs(at)
	if err != nil {
		return err
	}
	args := []string{"mount", "--instance", absDir}
	if p := a.v.GetString("mount.image-key"); p != "" {
		// Checked here for a clear error; the LibOS reads it again.
		if _, err := instance.ReadImageKey(p); err != nil {
			return err
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		args = append(args, "--image-key", abs)
	}
	if a.v.GetBool("mount.rw") {
		args = append(args, "--rw")
	}
	if a.v.GetBool("mount.background") {
		return a.mountBackground(built.LibOS, append(args, "--ready-fd", "3", absAt), absAt)
	}
	cmd := exec.Command(built.LibOS, append(args, absAt)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, a.stdout, a.stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the LibOS %s: %v", built.LibOS, err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	return libosExit(err, built.LibOS)
}

// libosExit turns the end of `occlum-libos mount` into mount's result:
// the LibOS has said what went wrong on stderr.
func libosExit(err error, libos string) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("running the LibOS: %v", err)
	}
	if ee.ExitCode() == 2 {
		// A LibOS built before `occlum mount` existed knows only run.
		return withHint(fmt.Errorf("the instance's LibOS (%s) cannot mount", libos),
			"it was built by an older occlum: run `occlum build` again")
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus(128 + int(ws.Signal()))
	}
	return exitStatus(ee.ExitCode())
}

// mountBackground starts the mount in a session of its own and returns
// once it is mounted (the LibOS writes "ok" on fd 3), or failed.
func (a *app) mountBackground(libos string, args []string, at string) error {
	ready, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer ready.Close()
	cmd := exec.Command(libos, args...)
	// Its messages go where ours go; a stream that is not a file (a
	// test's buffer) would need us to stay and copy: it gets nothing.
	if f, ok := a.stdout.(*os.File); ok {
		cmd.Stdout = f
	}
	if f, ok := a.stderr.(*os.File); ok {
		cmd.Stderr = f
	}
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // Ctrl-C here is not for it
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("starting the LibOS %s: %v", libos, err)
	}
	w.Close()
	b, _ := io.ReadAll(io.LimitReader(ready, 16))
	if strings.TrimSpace(string(b)) != "ok" {
		return libosExit(cmd.Wait(), libos)
	}
	fmt.Fprintf(a.stdout, "Mounted in the background (pid %d): unmount with fusermount3 -u %s (as root: umount %s)\n", cmd.Process.Pid, at, at)
	return cmd.Process.Release()
}
