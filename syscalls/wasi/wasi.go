// Package wasi implements the whole of WASI preview 1
// (wasi_snapshot_preview1) on the LibOS core, so unmodified wasi-libc C,
// Go wasip1 and Rust wasip1 programs run as LibOS processes. File
// descriptors, open files and paths are the kernel's objects, shared with
// the occlum extension ABI; nothing here uses wazero's built-in WASI.
//
// One file per spec prefix (args, clock, environ, fd, path, poll, proc,
// random, sched, sock). Functions are listed in Funcs in spec order; the
// support level of each is in docs/abi.md.
//
// Path arguments are relative to a directory descriptor. The root process
// gets "/" preopened as fd 3, so wasi-libc maps every absolute path (and,
// through its cwd emulation, every relative one) onto it; the LibOS then
// resolves the path in its own mount namespace with Linux semantics ("..'
// at "/" stays at "/").
//
// This package holds no state and takes no locks of its own.
package wasi

import (
	"github.com/occlumgo/occlum/syscalls/abi"
)

// ModuleName is the import module name of WASI preview 1.
const ModuleName = "wasi_snapshot_preview1"

// Funcs returns every WASI preview 1 function, in the order of the spec.
func Funcs() []abi.Func {
	return []abi.Func{
		argsGet, argsSizesGet,
		environGet, environSizesGet,
		clockResGet, clockTimeGet,
		fdAdvise, fdAllocate, fdClose, fdDatasync, fdFdstatGet, fdFdstatSetFlags,
		fdFdstatSetRights, fdFilestatGet, fdFilestatSetSize, fdFilestatSetTimes,
		fdPread, fdPrestatGet, fdPrestatDirName, fdPwrite, fdRead, fdReaddir,
		fdRenumber, fdSeek, fdSync, fdTell, fdWrite,
		pathCreateDirectory, pathFilestatGet, pathFilestatSetTimes, pathLink,
		pathOpen, pathReadlink, pathRemoveDirectory, pathRename, pathSymlink,
		pathUnlinkFile,
		pollOneoff,
		procExit, procRaise,
		schedYield,
		randomGet,
		sockAccept, sockRecv, sockSend, sockShutdown,
	}
}
