// Package nonlocal is the host half of non-local exits in guest code:
// setjmp/longjmp and C++ exceptions, which WebAssembly without the
// exception-handling proposal cannot express, lowered the way Emscripten
// does it (clang's -enable-emscripten-sjlj and
// -enable-emscripten-cxx-exceptions).
//
// The lowering turns every call that may be jumped or thrown out of, in a
// function that calls setjmp or has a catch or cleanup, into a call of an
// import env.invoke_<sig>(fp, args...): "call the function at table index
// fp with args, and if a longjmp or throw unwinds through it, return
// instead (zero) with the global __THREW__ set". libocclum's side of it
// (setjmp.c, cxa_exception.c) sets __THREW__ and starts the unwind with
// occlum.unwind; this package provides the invokes and the unwind:
//
//   - an invoke calls the guest function through the guest's table as a
//     nested call (the type is checked as call_indirect checks it: a wrong
//     fp is the same trap), and recovers an unwind that ends that call:
//     the guest's C stack pointer is put back to where it was at the
//     invoke, and the invoke returns. Any other end of the nested call (an
//     exit, a trap, a kill) goes on up unchanged;
//   - Unwind panics with ErrUnwind if an invoke is running in the process
//     (State), and otherwise returns false: nothing can catch it, and the
//     guest reports an uncaught exception or a longjmp to a setjmp that
//     has returned.
//
// Only programs that use setjmp or exceptions have invokes and pay for
// them: an invoke costs a host call and a nested guest call; functions
// without setjmp, catch or cleanups are compiled as before.
//
// The functions the nested calls resolve to are cached per process (State),
// by table index and invoke type, at most maxCached of them: a program
// whose code changes its table (table.set and kin, which C compilers do not
// emit) gets no cache. At most MaxDepth invokes run at once.
//
// Lock order: none. A State belongs to one process and is used only on
// that process's goroutine.
package nonlocal

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental/table"
)

// ImportModule is the module of the invoke imports.
const ImportModule = "env"

// invokePrefix starts the name of every invoke import.
const invokePrefix = "invoke_"

// StackPointer is the export name of the guest's C stack pointer (occlum-cc
// links every program with it exported); an invoke puts it back after an
// unwind. Without it, the stack a longjmp skips is reclaimed only when the
// function that called setjmp returns.
const StackPointer = "__stack_pointer"

// ErrUnwind is the panic value of an unwind; an invoke recovers it.
var ErrUnwind = errors.New("a longjmp or C++ exception unwinding the guest's stack")

// maxInvokeParams bounds an invoke's signature (the table index, then the
// callee's parameters).
const maxInvokeParams = 64

// ParseInvoke reports whether name is an invoke import, and its type: the
// signature letters after "invoke_" are the result (v for none) then each
// parameter of the callee (i i32, j i64, f f32, d f64); the import takes
// the table index, an i32, before them.
func ParseInvoke(name string) (params, results []api.ValueType, ok bool) {
	if len(name) <= len(invokePrefix) || name[:len(invokePrefix)] != invokePrefix {
		return nil, nil, false
	}
	sig := name[len(invokePrefix):]
	if len(sig) > maxInvokeParams {
		return nil, nil, false
	}
	params = []api.ValueType{api.ValueTypeI32}
	for i := 0; i < len(sig); i++ {
		var t api.ValueType
		switch sig[i] {
		case 'v':
			if i != 0 {
				return nil, nil, false
			}
			continue
		case 'i':
			t = api.ValueTypeI32
		case 'j':
			t = api.ValueTypeI64
		case 'f':
			t = api.ValueTypeF32
		case 'd':
			t = api.ValueTypeF64
		default:
			return nil, nil, false
		}
		if i == 0 {
			results = []api.ValueType{t}
		} else {
			params = append(params, t)
		}
	}
	return params, results, true
}

// State is one process's invokes: how many are running (an unwind needs
// one to end in) and the cache of the functions they call.
type State struct {
	depth int
	// cache holds idle api.Functions by table index and invoke type: a
	// function value is not reentrant, and invokes nest.
	cache   map[uint64]*idle // by cacheKey
	cached  int              // functions in cache, at most maxCached
	noCache bool
	// failure is the error ending the nested invokes, from the innermost.
	failure error
	// bufs[d] is the argument and result buffer of the invoke at depth d.
	bufs [][]uint64
	// The C stack pointer of the module (found once).
	spOf api.Module
	sp   api.MutableGlobal
}

// cacheKey is a table index and which invoke import (each has one type).
func cacheKey(fp uint32, sig int) uint64 { return uint64(fp) | uint64(sig)<<32 }

type idle struct{ fns []api.Function }

type stateKey struct{}

// WithState returns ctx carrying a new State for one process; its program
// mutates its table if mutatesTable (no cache then).
func WithState(ctx context.Context, mutatesTable bool) context.Context {
	return context.WithValue(ctx, stateKey{}, &State{noCache: mutatesTable})
}

func stateFrom(ctx context.Context) *State {
	s, _ := ctx.Value(stateKey{}).(*State)
	return s
}

// Unwind starts an unwind (it panics with ErrUnwind) if an invoke of the
// calling process can end it, and otherwise returns false.
func Unwind(ctx context.Context) bool {
	if s := stateFrom(ctx); s == nil || s.depth == 0 {
		return false
	}
	panic(ErrUnwind)
}

// MaxDepth bounds how many invokes may be running in one process at once:
// each is a nested call with an execution stack of its own (outside the
// linear memory and user_space_size), so without a bound a guest recursing
// through invokes (a C++ function with a destructor that calls itself)
// would take host memory without end. Beyond it the guest traps as on a
// stack overflow (SIGSEGV).
const MaxDepth = 4096

// maxCached bounds the idle functions a process keeps (each holds an
// execution stack, grown to what its deepest call needed).
const maxCached = 64

// errDepth is the trap past MaxDepth.
var errDepth = fmt.Errorf("stack overflow: more than %d nested calls that a longjmp or C++ exception could leave (sfi/nonlocal.MaxDepth)", MaxDepth)

// invoke returns the host function of invoke import number sig.
func invoke(sig int, params, results []api.ValueType) api.GoModuleFunc {
	callee := params[1:]
	n := max(len(callee), len(results))
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		s := stateFrom(ctx)
		if s == nil {
			// Not a LibOS process (a test's bare instance): invoke with no
			// state, so nothing can unwind to it.
			s = &State{noCache: true}
			ctx = context.WithValue(ctx, stateKey{}, s)
		}
		if s.depth >= MaxDepth {
			panic(errDepth)
		}
		fp := uint32(stack[0])
		key := cacheKey(fp, sig)
		fn, slot := s.take(mod, key, fp, callee, results)
		sp := s.stackPointer(mod)
		var saved uint64
		if sp != nil {
			saved = sp.Get()
		}
		// stack holds fp and the arguments, and has room for the results.
		call := s.buffer(n)
		copy(call, stack[1:1+len(callee)])
		s.depth++
		err := fn.CallWithStack(ctx, call)
		s.depth--
		s.give(key, slot, fn)
		switch {
		case err == nil:
			copy(stack, call[:len(results)])
		case errors.Is(err, ErrUnwind):
			if sp != nil {
				sp.Set(saved)
			}
			for i := range results {
				stack[i] = 0
			}
		default:
			// An exit, a trap or a kill ends the caller too. Every level
			// of nesting goes on with the innermost error, not the one
			// wrapped once more by each level's wazero (a message, with
			// a stack trace, growing with the depth).
			if s.failure == nil {
				s.failure = err
			}
			f := s.failure
			if s.depth == 0 {
				s.failure = nil
			}
			panic(f)
		}
	}
}

// buffer returns the argument and result buffer of length n for the
// invoke about to run at depth s.depth.
func (s *State) buffer(n int) []uint64 {
	for len(s.bufs) <= s.depth {
		s.bufs = append(s.bufs, nil)
	}
	b := s.bufs[s.depth]
	if cap(b) < n {
		b = make([]uint64, max(n, 8))
		s.bufs[s.depth] = b
	}
	return b[:n]
}

func (s *State) stackPointer(mod api.Module) api.MutableGlobal {
	if s.spOf != mod {
		s.spOf = mod
		s.sp, _ = mod.ExportedGlobal(StackPointer).(api.MutableGlobal)
	}
	return s.sp
}

// take returns a function for table index fp of mod's table 0, of the
// callee's type; a missing entry or another type panics as call_indirect
// traps.
// The function's cache slot (nil if it has none yet) comes with it, for
// give.
func (s *State) take(mod api.Module, key uint64, fp uint32, params, results []api.ValueType) (api.Function, *idle) {
	e := s.cache[key]
	if e != nil && len(e.fns) > 0 {
		f := e.fns[len(e.fns)-1]
		e.fns = e.fns[:len(e.fns)-1]
		s.cached--
		return f, e
	}
	return table.LookupFunction(mod, 0, fp, params, results), e
}

// give keeps fn for the next invoke of key, in slot if not nil.
func (s *State) give(key uint64, e *idle, fn api.Function) {
	if s.noCache || s.cached >= maxCached {
		return
	}
	if e == nil {
		if s.cache == nil {
			s.cache = map[uint64]*idle{}
		}
		e = &idle{}
		s.cache[key] = e
	}
	e.fns = append(e.fns, fn)
	s.cached++
}

// Imports returns the invoke imports of cm (and checks that it imports
// nothing else from ImportModule).
func Imports(cm wazero.CompiledModule) ([]api.FunctionDefinition, error) {
	var out []api.FunctionDefinition
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		if mod != ImportModule {
			continue
		}
		params, results, ok := ParseInvoke(name)
		if !ok {
			return nil, fmt.Errorf("imports %s.%s, which the LibOS does not provide (of module %s, only the invoke_<signature> functions of setjmp and C++ exceptions)", mod, name, mod)
		}
		if string(params) != string(d.ParamTypes()) || string(results) != string(d.ResultTypes()) {
			return nil, fmt.Errorf("imports %s.%s with a type that does not match its name", mod, name)
		}
		out = append(out, d)
	}
	return out, nil
}

// Instantiate instantiates, in rt under the unique name, a host module
// providing the invoke imports defs (from Imports). Programs resolve their
// ImportModule imports to it (experimental.WithImportResolver).
func Instantiate(ctx context.Context, rt wazero.Runtime, name string, defs []api.FunctionDefinition) (api.Module, error) {
	b := rt.NewHostModuleBuilder(ImportModule)
	for i, d := range defs {
		_, fn, _ := d.Import()
		params, results, _ := ParseInvoke(fn)
		b.NewFunctionBuilder().WithGoModuleFunction(invoke(i, params, results), params, results).Export(fn)
	}
	cm, err := b.Compile(ctx)
	if err != nil {
		return nil, err
	}
	return rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(name))
}
