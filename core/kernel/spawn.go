package kernel

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
)

// FileAction is one posix_spawn file action, applied in the child in order.
type FileAction struct {
	Op    FileActionOp
	FD    int32
	NewFD int32  // dup2 target
	Flags uint32 // open: Linux O_* flags
	Mode  uint32 // open
	Path  string // open, chdir
}

// FileActionOp says what a FileAction does.
type FileActionOp uint32

// File action operations (the ABI's numbers).
const (
	ActionOpen   FileActionOp = 1
	ActionClose  FileActionOp = 2
	ActionDup2   FileActionOp = 3
	ActionChdir  FileActionOp = 4
	ActionFchdir FileActionOp = 5
)

// SpawnAttr is posix_spawnattr_t.
type SpawnAttr struct {
	Flags      uint32
	Pgroup     int32
	SigDefault SigSet
	SigMask    SigSet
}

// posix_spawnattr flags (glibc values).
const (
	SpawnResetIDs   = 0x01
	SpawnSetPgroup  = 0x02
	SpawnSetSigDef  = 0x04
	SpawnSetSigMask = 0x08
	SpawnSetSID     = 0x80
)

// SpawnRequest is everything posix_spawn is given.
type SpawnRequest struct {
	Path    string // relative to the parent's working directory
	Argv    []string
	Env     []string
	Actions []FileAction
	Attr    *SpawnAttr
}

// Executor starts programs: the runtime (package libos) implements it and
// the kernel's syscalls call it, so the kernel needs no WebAssembly.
type Executor interface {
	// Spawn starts req as a new child of parent and returns it.
	Spawn(ctx context.Context, parent *Process, req SpawnRequest) (*Process, errno.Errno)
	// Exec replaces p's program, as execve(2). It is called on p's
	// goroutine from a host function of mod; on success it does not
	// return (it unwinds the current program).
	Exec(ctx context.Context, p *Process, mod api.Module, path string, argv, env []string) errno.Errno
}
