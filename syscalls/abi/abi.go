// Package abi is the boundary between guest code and the LibOS: it turns a
// table of syscall implementations into a wazero host module, gives each
// call the calling process, checks every guest pointer before it is used
// (EFAULT, never a host panic), translates the LibOS errno into the ABI's
// numbers in exactly one place (ToWASI), and prints every call at trace log
// level.
//
// Host functions are api.GoModuleFunc (stack-based): the reflection-based
// builder is ~25x slower on a syscall path.
package abi

import (
	"context"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/logging"
)

// Impl runs one syscall for process p. It reads its arguments from stack
// (wazero's encoding: i32 in the low 32 bits, i64 as is), writes results
// into guest memory itself, and returns the errno that becomes the function's
// only result. Functions with no result (proc_exit) ignore the return value.
type Impl func(ctx context.Context, p *kernel.Process, mod api.Module, stack []uint64) errno.Errno

// Param names one parameter of an ABI function.
type Param struct {
	Name string
	Type api.ValueType
}

// Support is how completely a function implements its specification.
type Support uint8

// Support levels, as listed in docs/abi.md.
const (
	// Full: the whole specified behaviour.
	Full Support = iota
	// Partial: implemented, with the difference stated in Func.Note.
	Partial
	// Unsupported: always fails with the errno stated in Func.Note.
	Unsupported
)

func (s Support) String() string {
	return [...]string{"full", "partial", "unsupported"}[s]
}

// Func is one ABI function: its import name, signature, implementation and
// support level.
type Func struct {
	Name    string
	Params  []Param
	Results []api.ValueType // nil or [i32] (the errno)
	Impl    Impl
	Support Support
	Note    string // what Partial or Unsupported means for this function
}

// I32 and I64 build Params.
func I32(name string) Param { return Param{name, api.ValueTypeI32} }
func I64(name string) Param { return Param{name, api.ValueTypeI64} }

// Errno is the result list of a function returning an errno.
var Errno = []api.ValueType{api.ValueTypeI32}

// Instantiate registers funcs as the host module name in r. With a logger
// enabled at logging.TraceLevel (OCCLUM_LOG_LEVEL=trace) every call is logged with its arguments and result.
func Instantiate(ctx context.Context, r wazero.Runtime, name string, funcs []Func, log *zap.Logger) (api.Module, error) {
	b := r.NewHostModuleBuilder(name)
	trace := log != nil && log.Core().Enabled(logging.TraceLevel)
	for i := range funcs {
		f := &funcs[i]
		params := make([]api.ValueType, len(f.Params))
		names := make([]string, len(f.Params))
		for j, p := range f.Params {
			params[j], names[j] = p.Type, p.Name
		}
		var gf api.GoModuleFunc
		if trace {
			gf = traced(f, log)
		} else {
			gf = direct(f)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(gf, params, f.Results).
			WithParameterNames(names...).WithName(f.Name).Export(f.Name)
	}
	return b.Instantiate(ctx)
}

// i32Params lists the stack slots of f's i32 parameters.
func i32Params(f *Func) []int {
	var out []int
	for i, p := range f.Params {
		if p.Type == api.ValueTypeI32 {
			out = append(out, i)
		}
	}
	return out
}

// clearHigh zeroes the upper 32 bits of the i32 parameters: wazero leaves
// them undefined (seen: a NULL pointer arriving as 0x260c00000000), and
// every implementation may then compare its arguments as they are.
func clearHigh(stack []uint64, i32 []int) {
	for _, i := range i32 {
		stack[i] = uint64(uint32(stack[i]))
	}
}

func direct(f *Func) api.GoModuleFunc {
	impl, i32 := f.Impl, i32Params(f)
	if len(f.Results) == 0 {
		return func(ctx context.Context, mod api.Module, stack []uint64) {
			clearHigh(stack, i32)
			p := kernel.ProcessFrom(ctx)
			kernel.CheckKilled(ctx, p, mod)
			impl(ctx, p, mod, stack)
			kernel.AfterSyscall(ctx, p, mod)
		}
	}
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		clearHigh(stack, i32)
		p := kernel.ProcessFrom(ctx)
		kernel.CheckKilled(ctx, p, mod)
		e := impl(ctx, p, mod, stack)
		// Signals are acted on on the way out (a handler may run here),
		// before the result is stored.
		kernel.AfterSyscall(ctx, p, mod)
		stack[0] = uint64(ToWASI(e))
	}
}

func traced(f *Func, log *zap.Logger) api.GoModuleFunc {
	impl, i32 := f.Impl, i32Params(f)
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		clearHigh(stack, i32)
		p := kernel.ProcessFrom(ctx)
		kernel.CheckKilled(ctx, p, mod)
		var sb strings.Builder
		for i, par := range f.Params {
			if i > 0 {
				sb.WriteByte(',')
			}
			if par.Type == api.ValueTypeI32 {
				fmt.Fprintf(&sb, "%s=%d", par.Name, int32(stack[i]))
			} else {
				fmt.Fprintf(&sb, "%s=%d", par.Name, int64(stack[i]))
			}
		}
		pid := int32(0)
		if p != nil {
			pid = p.PID
		}
		log.Log(logging.TraceLevel, fmt.Sprintf("==> %s(%s)", f.Name, sb.String()), zap.Int32("pid", pid))
		e := impl(ctx, p, mod, stack)
		kernel.AfterSyscall(ctx, p, mod)
		if len(f.Results) > 0 {
			stack[0] = uint64(ToWASI(e))
		}
		log.Log(logging.TraceLevel, fmt.Sprintf("<== %s errno=%s", f.Name, e.Name()), zap.Int32("pid", pid))
	}
}

// Module is one syscall family: an import module name and its functions.
type Module struct {
	Name  string
	Funcs []Func
}
