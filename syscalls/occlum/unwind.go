package occlum

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/sfi/nonlocal"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var unwindFuncs = []abi.Func{unwindCall}

// unwindCall starts the unwind of a longjmp or a C++ throw (package
// nonlocal): it does not return when a running env.invoke_* call can end
// it; otherwise it returns ENOENT, and the guest reports a longjmp to a
// setjmp that has returned, or an uncaught exception.
var unwindCall = abi.Func{
	Name:    "unwind",
	Results: abi.Errno,
	Impl: func(ctx context.Context, _ *kernel.Process, _ api.Module, _ []uint64) errno.Errno {
		nonlocal.Unwind(ctx)
		return errno.ENOENT
	},
}
