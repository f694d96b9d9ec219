// Package occlum is the Go side of the Occlum LibOS's `occlum` ABI
// (docs/abi.md): processes (spawn, execve, wait4, kill, process groups),
// signal masks and dispositions, pipes and descriptor duplication, the
// working directory, identities, uname, sysinfo and resource limits, for
// programs built with GOOS=wasip1 GOARCH=wasm. It is what libocclum is for
// C programs.
//
// Errors are syscall.Errno values: in GOOS=wasip1 they are WASI's numbers,
// which is what the ABI returns, so errors.Is(err, fs.ErrNotExist) and
// friends work. Flags, signal numbers and wait statuses are Linux's, as in
// the ABI; this package defines the constants.
//
// The working directory: Go's wasip1 runtime keeps its own, initialized from
// $PWD, and os.Chdir changes only that one. This package sets it from the
// LibOS's when it is initialized (a spawned process inherits its parent's
// cwd, whatever $PWD says), and Chdir/Fchdir change both. A program that
// calls os.Chdir changes where its own relative paths go, but not the cwd
// its children inherit.
//
// Signal handlers: Go code cannot run as a LibOS signal handler (the LibOS
// runs handlers by calling into the program in the middle of a system call,
// which Go's wasm runtime does not support), so Ignore and Default are the
// dispositions offered; masks, pending sets and kill work in full.
//
// Outside GOOS=wasip1 the package is empty.
package occlum
