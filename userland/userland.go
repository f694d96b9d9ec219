// Package userland holds the guest shell (sh/) and basic utilities (one
// directory each) that are installed in every instance's image, and the
// table of command lines that checks them against dash and GNU tools.
//
// The C sources are portable POSIX: processes are started only with
// posix_spawn (there is no fork in the LibOS), so the same sources build
// natively with cc and for the LibOS with occlum-gcc.
package userland

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// Utilities lists the single-file programs: <name>/main.c.
var Utilities = []string{
	"echo", "cat", "ls", "wc", "grep", "head", "tail", "mkdir", "rm", "cp",
	"mv", "env", "sleep", "true", "false", "kill", "sync", "ps",
}

// Programs lists everything Build produces: the shell and the utilities.
var Programs = append([]string{"sh"}, Utilities...)

// FixedMTime is the modification time given to the files of Case.Files, so
// that ls -l output does not depend on when the test runs.
var FixedMTime = time.Date(2020, time.January, 2, 3, 4, 5, 0, time.UTC)

// Case is one command line run by the shell under test and by the
// reference shell (dash, with GNU tools), in an empty working directory
// that holds only Files. Stdout, stderr and the exit status must match.
type Case struct {
	Name   string
	Script string            // the argument of sh -c
	Stdin  string            // standard input
	Files  map[string]string // files created before the run (mtime FixedMTime)
}

// SourceDir returns the directory of this package's sources.
func SourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Build compiles the shell and every utility with the C compiler cc (cc
// natively, occlum-gcc for the LibOS) into out.
func Build(cc string, cflags []string, out string) error {
	src := SourceDir()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	base := []string{"-std=c11", "-O2", "-Wall", "-Wextra", "-D_GNU_SOURCE"}
	base = append(base, cflags...)
	shSrc, err := filepath.Glob(filepath.Join(src, "sh", "*.c"))
	if err != nil {
		return err
	}
	jobs := map[string][]string{"sh": shSrc}
	for _, u := range Utilities {
		jobs[u] = []string{filepath.Join(src, u, "main.c")}
	}
	errs := make(chan error, len(jobs))
	for name, files := range jobs {
		go func(name string, files []string) {
			args := append(append([]string{}, base...), "-o", filepath.Join(out, name))
			args = append(args, files...)
			cmd := exec.Command(cc, args...)
			if b, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("building %s: %v\n%s", name, err, b)
				return
			}
			errs <- nil
		}(name, files)
	}
	var first error
	for range jobs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// SetupFiles creates c.Files in dir with FixedMTime.
func SetupFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(p, FixedMTime, FixedMTime); err != nil {
			return err
		}
	}
	return nil
}
