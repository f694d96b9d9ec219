// Package occlum implements the `occlum` import module: the extension of
// the ABI for what WASI preview 1 lacks — processes (spawn, execve, wait4,
// process groups, kill), signals, pipes, descriptor duplication and fcntl,
// the working directory, identity, system information and resource limits.
// docs/abi.md specifies every function; Funcs lists them with their
// support levels.
//
// One file per family: proc.go, signal.go, fd.go, cwd.go, stat.go,
// info.go, rlimit.go. Flags, signal numbers and statuses use Linux values;
// results go through result pointers; every function returns an errno.
//
// This package holds no state and takes no locks of its own.
package occlum

import "github.com/occlumgo/occlum/syscalls/abi"

// ModuleName is the import module name of the extension.
const ModuleName = "occlum"

// Funcs returns every function of the extension, grouped by family in the
// order of docs/abi.md.
func Funcs() []abi.Func {
	var fs []abi.Func
	fs = append(fs, procFuncs...)
	fs = append(fs, signalFuncs...)
	fs = append(fs, fdFuncs...)
	fs = append(fs, cwdFuncs...)
	fs = append(fs, statFuncs...)
	fs = append(fs, infoFuncs...)
	fs = append(fs, rlimitFuncs...)
	fs = append(fs, unwindFuncs...)
	fs = append(fs, socketFuncs...)
	fs = append(fs, pollFuncs...)
	fs = append(fs, resolveFuncs...)
	return fs
}
