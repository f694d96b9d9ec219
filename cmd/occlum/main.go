// Command occlum manages Occlum instances: it creates them (new, init),
// measures and signs them (build), prints their measurement (print) and
// runs programs in them (run) by starting the instance's LibOS binary,
// build/bin/occlum-libos, which also shows their root file system on the
// host (mount).
//
// Errors go to stderr as one line "occlum: <what>", followed by a line
// "hint: <what to do>" when there is something to do; the exit status is 1
// (2 for a command line that cannot be understood). `occlum run` exits with
// the program's status, 128+N when it was killed by signal N.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/instance"
)

// version is set at link time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(doMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitStatus ends doMain with a status and no message (the program run by
// `occlum run` has spoken for itself).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a command line that cannot be understood.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// hinted is an error with a hint line.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

func withHint(err error, hint string) error { return &hinted{err, hint} }

// doMain runs the command line args and returns the exit status.
func doMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newApp(stdin, stdout, stderr).main(args)
}

// main runs the command line args and returns the exit status.
func (a *app) main(args []string) int {
	stderr := a.stderr
	root := a.rootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	msg, hint := describe(err)
	fmt.Fprintf(stderr, "occlum: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", hint)
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// describe splits err into its first line and a hint.
func describe(err error) (msg, hint string) {
	msg = err.Error()
	var h *hinted
	var ie *instance.Error
	var ce *config.Error
	var ue *usageError
	switch {
	case errors.As(err, &h):
		hint = h.hint
	case errors.As(err, &ie):
		hint = ie.Hint
	case errors.As(err, &ce):
		hint = ce.Hint
	case errors.As(err, &ue):
		hint = "run `occlum --help` for usage"
	}
	if first, rest, ok := strings.Cut(msg, "\n"); ok {
		msg = first
		if hint == "" {
			hint = strings.Join(strings.Fields(rest), " ")
		}
	}
	return msg, hint
}

// app holds what the commands share: the streams and the settings from
// flags and the environment.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	v              *viper.Viper
	// fuse is what `occlum mount` needs of the host (tests change it).
	fuse fuseview.Host
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	return newApp(stdin, stdout, stderr).rootCmd()
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, v: viper.New(), fuse: fuseview.ThisHost()}
}

func (a *app) rootCmd() *cobra.Command {
	stdin, stdout, stderr := a.stdin, a.stdout, a.stderr
	root := &cobra.Command{
		Use:   "occlum",
		Short: "Run programs inside the Occlum LibOS (WebAssembly processes in one enclave)",
		Long: `occlum manages Occlum instances. An instance is a directory with an
Occlum.json configuration and an image/ directory that becomes the LibOS's root
file system. The workflow:

  occlum new inst && cd inst        create an instance (or: occlum init)
  cp ../hello_world image/bin/      put programs built with occlum-gcc in image/
  occlum build                      measure and sign it (SGX_MODE=SIM by default)
  occlum run /bin/hello_world a b   run a program inside the LibOS
  occlum mount /tmp/root            show its root file system on the host (FUSE)

Environment:
  SGX_MODE            SIM (default) or HW, as --sgx-mode of build
  OCCLUM_LOG_LEVEL    off (default), error, warn, info, debug or trace: the
                      LibOS's log on stderr; trace shows every system call
  OCCLUM_INSTANCE_DIR the instance directory, as --instance-dir
  OCCLUM_LIBOS        the LibOS binary build copies, as --libos of build
  OCCLUM_CONFIG_DIR   your Occlum directory: developer key and trusted signers
                      (default ~/.config/occlum)
  OCCLUM_MRSIGNER     the signer run trusts, as --mrsigner of run
  OCCLUM_SIM_SECRET   a file holding the simulated platform's machine key
                      (created if missing); without it, simulated sealing keys
                      follow from the measurement alone`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err.Error()}
	})
	root.PersistentFlags().String("instance-dir", ".", "the instance directory")
	a.bind("instance-dir", root.PersistentFlags(), "OCCLUM_INSTANCE_DIR")
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(a.newCmd(), a.initCmd(), a.genImageKeyCmd(), a.buildCmd(), a.runCmd(), a.mountCmd(), a.printCmd(), a.versionCmd())
	return root
}

// noArgs rejects arguments with a usage error (cobra's would say less).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if !cmd.HasParent() {
			return &usageError{fmt.Sprintf("unknown command %q", args[0])}
		}
		return &usageError{fmt.Sprintf("%s takes no arguments, got %q", cmd.Name(), args[0])}
	}
	return nil
}

func (a *app) instanceDir() string {
	if d := a.v.GetString("instance-dir"); d != "" {
		return d
	}
	return "."
}

func (a *app) newCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "new DIR",
		Short: "Create a new instance in DIR",
		Long: `new creates the directory DIR (which must not exist, or be empty) and makes it
an Occlum instance: a default Occlum.json and an image/ tree with bin, lib,
etc, root, tmp, dev, proc and host.`,
		Example: "  occlum new occlum_instance",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &usageError{"new needs exactly one argument, the directory to create: occlum new DIR"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := instance.New(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Created a new Occlum instance in %s\n", args[0])
			return a.installUserland(args[0])
		},
	}
}

// installUserland puts the shell and utilities into a new instance's
// image/bin: from $OCCLUM_USERLAND ("none": nothing), or userland/ beside
// the occlum executable, where `make build` puts them.
func (a *app) installUserland(dir string) error {
	from := os.Getenv("OCCLUM_USERLAND")
	if from == "none" {
		return nil
	}
	if from == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil
		}
		if exe, err = filepath.EvalSymlinks(exe); err != nil {
			return nil
		}
		from = filepath.Join(filepath.Dir(exe), "userland")
		if _, err := os.Stat(from); err != nil {
			return nil // a build without the userland: nothing to install
		}
	}
	n, err := instance.InstallPrograms(dir, from)
	if err != nil {
		return fmt.Errorf("installing the shell and utilities from %s: %w", from, err)
	}
	if n > 0 {
		fmt.Fprintf(a.stdout, "Installed sh and %d utilities into image/bin\n", n-1)
	}
	return nil
}

func (a *app) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Make the instance directory (default: the current one) an instance",
		Long: `init does what new does, in the existing instance directory (--instance-dir,
default the current directory), which may already hold other files but no
Occlum.json or image/.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := a.instanceDir()
			if err := instance.Init(dir); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Initialized an Occlum instance in %s\n", dir)
			return a.installUserland(dir)
		},
	}
}

func (a *app) printCmd() *cobra.Command {
	return &cobra.Command{
		Use:       "print mrenclave|mrsigner",
		Short:     "Print the measurement (MRENCLAVE) or the signer (MRSIGNER) of the build",
		Long:      `print writes the hex MRENCLAVE or MRSIGNER of the instance's signed build.`,
		ValidArgs: []string{"mrenclave", "mrsigner"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &usageError{"print needs one argument: mrenclave or mrsigner"}
			}
			if args[0] != "mrenclave" && args[0] != "mrsigner" {
				return &usageError{fmt.Sprintf("print: unknown item %q (use mrenclave or mrsigner)", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			sig, err := instance.ReadSigStruct(a.instanceDir())
			if err != nil {
				return err
			}
			h := sig.MREnclave
			if args[0] == "mrsigner" {
				h = sig.MRSigner
			}
			fmt.Fprintln(a.stdout, h)
			return nil
		},
	}
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "occlum %s (Occlum in Go; SGX modes: SIM)\n", version)
			return nil
		},
	}
}
