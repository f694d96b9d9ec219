// Package libocclum builds libocclum, the C library overlay that occlum-gcc
// (cmd/occlum-cc) layers over wasi-libc: the POSIX calls wasi-libc lacks
// (posix_spawn, waitpid, pipe, dup2, kill, signals, cwd, identities,
// system, popen, ...) on top of the `occlum` import module of the LibOS ABI
// (docs/abi.md). README.md lists what it provides and its limits.
//
// The C sources (src/*.c, one archive member each, so a program imports
// exactly the `occlum` functions it uses) and the headers (include/) are
// embedded in this package. Build compiles them with occlum-cc into a
// directory with this layout, which occlum-cc finds next to itself
// (bin/libocclum, written by `make build`) or through OCCLUM_LIBOCCLUM:
//
//	<dir>/include/      the overlay headers, searched before wasi-libc's
//	<dir>/libocclum.a   linked before wasi-libc's libc.a
//	<dir>/stamp         what it was built from (Build skips an up-to-date dir)
package libocclum

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// The sources. "all:" keeps the files whose names start with "_"
// (__typedef_sigset_t.h and friends shadow wasi-libc headers of that name).
//
//go:embed all:include all:src
var sources embed.FS

// Names inside a built directory.
const (
	IncludeDir  = "include"
	ArchiveName = "libocclum.a"
	StampName   = "stamp"
)

// CFlags are the flags every libocclum source is compiled with (besides
// -I <include>): warnings are errors, so the headers stay clean for users
// who build with -Wall -Wextra -Werror. -mmutable-globals lets occlum-cc
// export the C stack pointer (a mutable global) from every program that
// links libocclum, for the unwinds of setjmp and exceptions.
var CFlags = []string{"-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-mmutable-globals"}

// ErrNoToolchain is wrapped by Build's error when occlum-cc reports that the
// wasm toolchain is not installed (`make deps` installs it).
var ErrNoToolchain = errors.New("the wasm32-wasi toolchain is not installed")

// Options say how to build.
type Options struct {
	// CC is the occlum-cc executable to compile with. It is run with
	// OCCLUM_LIBOCCLUM=none, so an older libocclum next to it is not used.
	CC string
	// Out is the directory to write; it is replaced as a whole.
	Out string
	// Force rebuilds even when Out's stamp says it is up to date.
	Force bool
	// Jobs is the number of parallel compilations (0: GOMAXPROCS).
	Jobs int
}

// Build compiles libocclum into opts.Out. It reports whether it built
// (false: Out was already up to date).
func Build(opts Options) (built bool, err error) {
	if opts.CC == "" || opts.Out == "" {
		return false, errors.New("libocclum.Build: CC and Out are required")
	}
	version, err := ccVersion(opts.CC)
	if err != nil {
		return false, err
	}
	stamp := Stamp(version)
	if !opts.Force {
		if b, err := os.ReadFile(filepath.Join(opts.Out, StampName)); err == nil && string(b) == stamp {
			return false, nil
		}
	}

	parent := filepath.Dir(opts.Out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(opts.Out)+".tmp")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	scratch, err := os.MkdirTemp("", "libocclum-src")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(scratch)

	include := filepath.Join(tmp, IncludeDir)
	if err := extract("include", include); err != nil {
		return false, err
	}
	srcDir := filepath.Join(scratch, "src")
	if err := extract("src", srcDir); err != nil {
		return false, err
	}
	members, err := compileAll(opts, include, srcDir)
	if err != nil {
		return false, err
	}
	ar, err := WriteArchive(members)
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ArchiveName), ar, 0o644); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, StampName), []byte(stamp), 0o644); err != nil {
		return false, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	if err := os.RemoveAll(opts.Out); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, opts.Out); err != nil {
		return false, err
	}
	return true, nil
}

// Sources lists the C files, sorted (one archive member each).
func Sources() []string {
	ents, _ := fs.ReadDir(sources, "src")
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".c") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Headers lists the overlay headers, as paths relative to include/.
func Headers() []string {
	var out []string
	fs.WalkDir(sources, "include", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, "include/"))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// Stamp identifies a build: the embedded sources and the compiler.
func Stamp(ccVersion string) string {
	h := sha256.New()
	fs.WalkDir(sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := sources.ReadFile(p)
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	fmt.Fprintf(h, "cflags %q\ncc %s\n", CFlags, ccVersion)
	return hex.EncodeToString(h.Sum(nil)) + "\n"
}

// ccVersion is `CC --version`; a missing toolchain is ErrNoToolchain.
func ccVersion(cc string) (string, error) {
	cmd := exec.Command(cc, "--version")
	cmd.Env = ccEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if strings.Contains(msg, "(make deps)") {
			return "", fmt.Errorf("%w: %s", ErrNoToolchain, msg)
		}
		return "", fmt.Errorf("%s --version: %v: %s", cc, err, msg)
	}
	return strings.TrimSpace(string(out)), nil
}

func ccEnv() []string {
	return append(os.Environ(), "OCCLUM_LIBOCCLUM=none")
}

func extract(root, dst string) error {
	return fs.WalkDir(sources, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(p, root), "/")))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := sources.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func compileAll(opts Options, include, srcDir string) ([]Member, error) {
	files := Sources()
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	members := make([]Member, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			obj := filepath.Join(srcDir, strings.TrimSuffix(f, ".c")+".o")
			args := append(append([]string{"-c"}, CFlags...), "-I", include, "-o", obj, filepath.Join(srcDir, f))
			cmd := exec.Command(opts.CC, args...)
			cmd.Env = ccEnv()
			var stderr bytes.Buffer
			cmd.Stdout = io.Discard
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("compiling %s: %v\n%s", path.Join("sfi/libocclum/src", f), err, stderr.String())
				return
			}
			data, err := os.ReadFile(obj)
			if err != nil {
				errs[i] = err
				return
			}
			members[i] = Member{Name: strings.TrimSuffix(f, ".c") + ".o", Data: data}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return members, nil
}
