// Package sfi is the loader and verifier of LibOS programs: the software
// fault isolation boundary. A program is a wasm32 WASI command module; before
// any of it runs, the loader validates it (WebAssembly validation: typed,
// structured control flow, memory accesses confined to the instance's own
// linear memory), checks that every import is a function of the LibOS ABI
// with the right signature (naming the first one that is not), checks its
// memory against the configured limit, and compiles it. Compiled programs
// are cached in memory by the SHA-256 of the binary, and on disk through
// wazero's compilation cache, so a second start of the same binary skips
// compilation.
//
// The loader also instruments every program (package preempt), so that
// every way a guest can run for long reaches a preemption point: where the
// Go scheduler and collector get control back and a killed process ends.
//
// Linear memories come from the loader's pool (memory.go), which also
// enforces resource_limits.user_space_size over all processes together:
// the length of every process's linear memory is charged to one account;
// memory.grow past the limit fails (malloc returns NULL), and a program
// whose initial memory does not fit is refused before its process exists
// (Reserve: spawn fails with ENOMEM). Memory the pool caches for reuse
// belongs to no process and is not charged; it is bounded instead (see
// memoryPool). MemoryUsed reports the total.
//
// Lock order: Loader.mu and Loader.interruptMu are leaf locks. mu is
// released before compiling (two first starts of one binary may compile it
// twice; the cache keeps one). The memory pool's lock is a leaf too, and
// the user space account is lock-free (atomic).
package sfi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/occlumgo/occlum/sfi/nonlocal"
	"github.com/occlumgo/occlum/sfi/preempt"
)

// Engine names accepted in Occlum.json's sfi.engine.
const (
	EngineCompiler    = "compiler"
	EngineInterpreter = "interpreter"
)

// PageSize is the WebAssembly page size.
const PageSize = 65536

// Options configure a Loader.
type Options struct {
	// Engine is EngineCompiler (default) or EngineInterpreter.
	Engine string
	// MemoryLimit is the most linear memory (bytes) one process may have.
	MemoryLimit uint64
	// UserSpaceSize is the most linear memory (bytes) all processes may
	// hold together (resource_limits.user_space_size); 0 means no limit.
	UserSpaceSize uint64
	// CacheDir, if set, keeps compiled code on disk across LibOS runs.
	CacheDir string
	// Preempt, if set, runs at every preemption point of every process
	// (see package preempt), on the process's goroutine; it may end the
	// process (panic with *sys.ExitError, as proc_exit does).
	Preempt func(ctx context.Context, mod api.Module)
}

// Program is a verified, compiled program, ready to be instantiated.
type Program struct {
	Module wazero.CompiledModule
	Hash   [32]byte
	// WritesTables: the program's code changes its tables (see
	// nonlocal.WithState).
	WritesTables bool
	// initialMemory is the length of its linear memory at start, in bytes.
	initialMemory uint64
	// env provides the program's env.invoke_* imports (nil if none).
	env api.Module
}

// HashString returns the hex SHA-256 of the binary.
func (p *Program) HashString() string { return hex.EncodeToString(p.Hash[:]) }

// Loader verifies and compiles programs for one wazero runtime.
type Loader struct {
	rt         wazero.Runtime
	cache      wazero.CompilationCache
	limitPages uint32
	abi        map[string]map[string]api.FunctionDefinition

	mu       sync.Mutex
	programs map[[32]byte]*Program

	interruptMu sync.Mutex // see Interrupt
	memory      *memoryPool
	envs        atomic.Uint64 // names the programs' env modules
}

// NewLoader creates the runtime the LibOS's processes run in.
func NewLoader(ctx context.Context, o Options) (*Loader, error) {
	var rc wazero.RuntimeConfig
	switch o.Engine {
	case "", EngineCompiler:
		rc = wazero.NewRuntimeConfigCompiler()
	case EngineInterpreter:
		rc = wazero.NewRuntimeConfigInterpreter()
	default:
		return nil, fmt.Errorf("sfi: unknown engine %q (want %q or %q)", o.Engine, EngineCompiler, EngineInterpreter)
	}
	limit := o.MemoryLimit / PageSize
	if limit == 0 || limit > 65536 {
		limit = 65536
	}
	// wazero's own limit stays at the 4 GiB of wasm32: the per-process
	// limit is the loader's (the initial memory checked in Load, growth in
	// pooledMemory.Reallocate), so that a refused growth is seen and
	// reported (Reservation.GrowRefused) instead of refused unseen inside
	// wazero.
	l := &Loader{limitPages: uint32(limit), programs: map[[32]byte]*Program{}, abi: map[string]map[string]api.FunctionDefinition{},
		memory: newMemoryPool(cacheLimit(o.UserSpaceSize), o.UserSpaceSize)}
	if o.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(o.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("sfi: compilation cache %s: %w", o.CacheDir, err)
		}
		l.cache = c
		rc = rc.WithCompilationCache(c)
	}
	l.rt = wazero.NewRuntimeWithConfig(ctx, rc)
	if err := l.registerPreempt(ctx, o.Preempt); err != nil {
		l.Close(ctx)
		return nil, fmt.Errorf("sfi: %w", err)
	}
	return l, nil
}

// Runtime returns the wazero runtime; the syscall packages instantiate the
// ABI host modules in it.
func (l *Loader) Runtime() wazero.Runtime { return l.rt }

// AllowModule declares the host module mod (already instantiated in the
// runtime) part of the ABI: programs may import its exported functions.
func (l *Loader) AllowModule(mod api.Module) {
	defs := map[string]api.FunctionDefinition{}
	for name, d := range mod.ExportedFunctionDefinitions() {
		defs[name] = d
	}
	l.mu.Lock()
	l.abi[mod.Name()] = defs
	l.mu.Unlock()
}

// Close releases the runtime and the compilation cache.
func (l *Loader) Close(ctx context.Context) error {
	// A process still running (one blocked in a host read the LibOS could
	// not interrupt) keeps its memory mapped: closing the runtime frees
	// every memory, and an unmapped one would fault under it.
	l.memory.close()
	err := l.rt.Close(ctx)
	if l.cache != nil {
		if e := l.cache.Close(ctx); err == nil {
			err = e
		}
	}
	return err
}

// Load verifies and compiles bin, the content of the file at path (used in
// error messages).
func (l *Loader) Load(ctx context.Context, path string, bin []byte) (*Program, error) {
	sum := sha256.Sum256(bin)
	l.mu.Lock()
	if p, ok := l.programs[sum]; ok {
		l.mu.Unlock()
		return p, nil
	}
	l.mu.Unlock()

	if err := checkFormat(path, bin); err != nil {
		return nil, err
	}
	inst, rep, err := preempt.InstrumentReport(bin)
	if err != nil {
		return nil, &Error{Path: path, Reason: "invalid WebAssembly: " + err.Error()}
	}
	cm, err := l.compile(ctx, inst)
	if err != nil {
		if strings.Contains(err.Error(), "over limit of") {
			return nil, &Error{Path: path, Reason: fmt.Sprintf("needs more memory at start than the per-process limit of %d MiB (%s; the limit is %s)",
				uint64(l.limitPages)*PageSize>>20, err, perProcessLimit)}
		}
		return nil, &Error{Path: path, Reason: "invalid WebAssembly: " + err.Error()}
	}
	if err := l.verify(path, cm); err != nil {
		cm.Close(ctx)
		return nil, err
	}
	p := &Program{Module: cm, Hash: sum, WritesTables: rep.WritesTables}
	if m, ok := cm.ExportedMemories()["memory"]; ok { // verify made sure
		p.initialMemory = uint64(m.Min()) * PageSize
	}
	if limit := uint64(l.limitPages) * PageSize; p.initialMemory > limit {
		cm.Close(ctx)
		return nil, &Error{Path: path, Reason: fmt.Sprintf("needs more memory at start than the per-process limit of %d MiB (%s at start; the limit is %s)",
			limit>>20, mib(p.initialMemory), perProcessLimit)}
	}
	invokes, err := nonlocal.Imports(cm)
	if err != nil {
		cm.Close(ctx)
		return nil, &Error{Path: path, Reason: err.Error()}
	}
	if len(invokes) > 0 {
		name := fmt.Sprintf("occlum_env#%d", l.envs.Add(1))
		if p.env, err = nonlocal.Instantiate(ctx, l.rt, name, invokes); err != nil {
			cm.Close(ctx)
			return nil, &Error{Path: path, Reason: "its setjmp/exception imports: " + err.Error()}
		}
	}
	l.mu.Lock()
	if old, ok := l.programs[sum]; ok {
		l.mu.Unlock()
		if p.env != nil {
			p.env.Close(ctx)
		}
		cm.Close(ctx)
		return old, nil
	}
	l.programs[sum] = p
	l.mu.Unlock()
	return p, nil
}

// compile compiles an instrumented module. A panic in the runtime's
// decoder, validator or compiler (a bug there, reached by a hostile module)
// refuses this program only: the LibOS and its other processes go on.
func (l *Loader) compile(ctx context.Context, bin []byte) (cm wazero.CompiledModule, err error) {
	defer func() {
		if r := recover(); r != nil {
			cm, err = nil, fmt.Errorf("the runtime failed on it (%v)", r)
		}
	}()
	return l.rt.CompileModule(ctx, bin)
}

// Error is a program the loader refuses.
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

var (
	wasmMagic = []byte{0x00, 'a', 's', 'm'}
	elfMagic  = []byte{0x7f, 'E', 'L', 'F'}
)

func checkFormat(path string, bin []byte) error {
	switch {
	case bytes.HasPrefix(bin, elfMagic):
		return &Error{Path: path, Reason: "is a native ELF executable, not a LibOS program; rebuild it with occlum-gcc (or GOOS=wasip1 GOARCH=wasm go build)"}
	case bytes.HasPrefix(bin, []byte("#!")):
		return &Error{Path: path, Reason: "is a script; run it with its interpreter (no interpreter is available in this LibOS build)"}
	case !bytes.HasPrefix(bin, wasmMagic):
		return &Error{Path: path, Reason: "is not a WebAssembly program (bad magic number); build it with occlum-gcc"}
	case len(bin) < 8 || !bytes.Equal(bin[4:8], []byte{1, 0, 0, 0}):
		return &Error{Path: path, Reason: "is a WebAssembly file of an unsupported version (want the version 1 binary format)"}
	}
	return nil
}

func (l *Loader) verify(path string, cm wazero.CompiledModule) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		if mod == nonlocal.ImportModule {
			continue // checked by nonlocal.Imports
		}
		funcs, ok := l.abi[mod]
		if !ok {
			return &Error{Path: path, Reason: fmt.Sprintf("imports %s.%s from module %q, which is not part of the LibOS ABI (allowed: wasi_snapshot_preview1, occlum, and env for setjmp and C++ exceptions)", mod, name, mod)}
		}
		want, ok := funcs[name]
		if !ok {
			return &Error{Path: path, Reason: fmt.Sprintf("imports %s.%s, which the LibOS does not provide", mod, name)}
		}
		if !sameTypes(want.ParamTypes(), d.ParamTypes()) || !sameTypes(want.ResultTypes(), d.ResultTypes()) {
			return &Error{Path: path, Reason: fmt.Sprintf("imports %s.%s with signature %s, want %s", mod, name, sig(d), sig(want))}
		}
	}
	for _, d := range cm.ImportedMemories() {
		mod, name, _ := d.Import()
		return &Error{Path: path, Reason: fmt.Sprintf("imports memory %s.%s; a LibOS program must define its own memory", mod, name)}
	}
	exports := cm.ExportedFunctions()
	start, ok := exports["_start"]
	if !ok {
		return &Error{Path: path, Reason: "is not a WASI command module (no _start export); build an executable, not a library or reactor"}
	}
	if len(start.ParamTypes()) != 0 || len(start.ResultTypes()) != 0 {
		return &Error{Path: path, Reason: "exports _start with a signature other than () -> ()"}
	}
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return &Error{Path: path, Reason: "does not export its memory as \"memory\""}
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool { return bytes.Equal(a, b) }

func sig(d api.FunctionDefinition) string {
	return fmt.Sprintf("%s -> %s", typeList(d.ParamTypes()), typeList(d.ResultTypes()))
}

func typeList(ts []api.ValueType) string {
	s := "("
	for i, t := range ts {
		if i > 0 {
			s += ","
		}
		s += api.ValueTypeName(t)
	}
	return s + ")"
}

// memoryPoolBytes bounds the linear memory kept for reuse.
const memoryPoolBytes = 256 << 20

// MemoryUsed returns the linear memory all processes hold together, in
// bytes: what is charged to resource_limits.user_space_size.
func (l *Loader) MemoryUsed() uint64 { return l.memory.used() }

// ErrNoMemory is what a MemoryError is (errors.Is).
var ErrNoMemory = errors.New("out of user space memory")

// MemoryError is a program refused at start because its initial linear
// memory would take all processes together past user_space_size.
type MemoryError struct {
	Path string
	// Need is the program's initial memory; Used what the processes held
	// when it was refused; Limit is user_space_size. All in bytes.
	Need, Used, Limit uint64
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("%s: needs %s of memory at start, but the processes already hold %s of the %s of resource_limits.user_space_size in Occlum.json",
		e.Path, mib(e.Need), mib(e.Used), mib(e.Limit))
}

// Is makes errors.Is(err, ErrNoMemory) true.
func (e *MemoryError) Is(target error) bool { return target == ErrNoMemory }

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// A Reservation is a program's initial linear memory, charged to the user
// space account before its process is created, so that starting it cannot
// fail for want of memory once the process exists. Instantiate hands the
// charge to the instance's memory; Release gives it back unused. A
// Reservation is used by one goroutine at a time.
type Reservation struct {
	loader *Loader
	prog   *Program
	mem    *pooledMemory // nil once instantiated or released
	inst   *pooledMemory // the instance's memory, once instantiated
}

// perProcessLimit names the Occlum.json fields behind the per-process
// memory limit.
const perProcessLimit = "process.default_stack_size + default_heap_size + default_mmap_size in Occlum.json"

// GrowRefused says, if the instance's linear memory was ever refused a
// growth (malloc then returned NULL), which limit refused it and the
// Occlum.json field to raise; "" otherwise.
func (r *Reservation) GrowRefused() string {
	if r == nil || r.inst == nil {
		return ""
	}
	switch r.inst.refused {
	case processLimit:
		return fmt.Sprintf("its memory could not grow past the per-process limit of %d MiB (%s)",
			uint64(r.loader.limitPages)*PageSize>>20, perProcessLimit)
	case userSpaceFull:
		if r.loader.memory.space.limit == 0 {
			return "its memory could not grow: the host had no memory to give it"
		}
		return fmt.Sprintf("its memory could not grow: all processes together held the %s of resource_limits.user_space_size in Occlum.json",
			mib(r.loader.memory.space.limit))
	}
	return ""
}

// Reserve charges prog's initial linear memory to the user space account.
// path names the program in the error.
//
// # Errors
//   - *MemoryError (errors.Is ErrNoMemory): all processes together would
//     hold more than user_space_size.
func (l *Loader) Reserve(path string, prog *Program) (*Reservation, error) {
	mem := &pooledMemory{pool: l.memory}
	if need := prog.initialMemory; need > 0 {
		if !l.memory.space.charge(need) {
			return nil, &MemoryError{Path: path, Need: need, Used: l.memory.used(), Limit: l.memory.space.limit}
		}
		mem.held = need
	}
	return &Reservation{loader: l, prog: prog, mem: mem}, nil
}

// Program returns the reserved program.
func (r *Reservation) Program() *Program { return r.prog }

// MemorySize returns a function giving the length of the instance's linear
// memory in bytes (0 before the instance grows it first, and after it is
// freed), safe to call from any goroutine: what /proc shows as the
// process's size. Call it after Instantiate, on the instance's goroutine.
func (r *Reservation) MemorySize() func() uint64 {
	m := r.inst
	if m == nil {
		return func() uint64 { return 0 }
	}
	return m.size.Load
}

// Release gives the reservation back, if Instantiate has not used it.
func (r *Reservation) Release() {
	if r.mem != nil {
		r.mem.Free()
		r.mem = nil
	}
}

// Instantiate instantiates the reserved program (with ModuleConfig), its
// linear memory taking over the reservation; it uses the reservation up,
// also when it fails. Closing the module frees the memory and gives its
// bytes back to the account.
func (r *Reservation) Instantiate(ctx context.Context) (api.Module, error) {
	mem := r.mem
	if mem == nil {
		return nil, errors.New("sfi: reservation already used")
	}
	r.mem = nil
	r.inst = mem
	pool, given := r.loader.memory, false
	alloc := experimental.MemoryAllocatorFunc(func(_, max uint64) experimental.LinearMemory {
		if given { // a program has one memory: not reached
			return pool.Allocate(0, max)
		}
		given = true
		mem.max = min(max, uint64(r.loader.limitPages)*PageSize)
		return mem
	})
	ctx = experimental.WithMemoryAllocator(ctx, alloc)
	if env := r.prog.env; env != nil {
		ctx = experimental.WithImportResolver(ctx, func(name string) api.Module {
			if name == nonlocal.ImportModule {
				return env
			}
			return nil
		})
	}
	mod, err := r.loader.rt.InstantiateModule(ctx, r.prog.Module, ModuleConfig())
	if err != nil {
		// wazero does not free the memory of every failed instantiation
		// (not when a data segment does not fit); a second Free is harmless.
		mem.Free()
		return nil, err
	}
	return mod, nil
}

// Instantiate reserves prog's initial memory and instantiates it.
//
// # Errors
//   - those of Reserve and of Reservation.Instantiate.
func (l *Loader) Instantiate(ctx context.Context, path string, prog *Program) (api.Module, error) {
	r, err := l.Reserve(path, prog)
	if err != nil {
		return nil, err
	}
	return r.Instantiate(ctx)
}

// ModuleConfig is the instantiation configuration of every process: no
// start function runs at instantiation (the LibOS calls _start itself under
// the process's context), and the module gets no name so any number of
// instances of one program can exist. wazero's own random source is never
// used (random_get is the LibOS's), but its default is a math/rand source
// seeded per instance, 18% of a spawn: crypto/rand costs nothing to set.
func ModuleConfig() wazero.ModuleConfig {
	return wazero.NewModuleConfig().WithName("").WithStartFunctions().WithRandSource(rand.Reader)
}

// Interrupt makes an instance of a loaded program call its preempt hook
// soon: at its next loop iteration or charged call (see package preempt).
// It is safe to call from any goroutine, also while the instance runs.
//
// Interrupt writes are serialized by Loader.interruptMu. The guest's own
// reads and writes of its budget are compiled code, outside Go's memory
// model; an aligned 8-byte store is atomic on every platform wazero
// compiles for.
func (l *Loader) Interrupt(mod api.Module) {
	if g, ok := mod.ExportedGlobal(preempt.BudgetGlobal).(api.MutableGlobal); ok {
		l.interruptMu.Lock()
		g.Set(0)
		l.interruptMu.Unlock()
	}
}

// registerPreempt instantiates the host side of the inserted import.
func (l *Loader) registerPreempt(ctx context.Context, hook func(context.Context, api.Module)) error {
	fn := api.GoModuleFunc(func(ctx context.Context, mod api.Module, _ []uint64) {
		// Entering Go code is the safe point the scheduler and the garbage
		// collector need. The budget is refilled before the hook looks for
		// a kill or a signal, so an Interrupt that comes after the look
		// zeroes it again and is not lost.
		if g, ok := mod.ExportedGlobal(preempt.BudgetGlobal).(api.MutableGlobal); ok {
			l.interruptMu.Lock()
			g.Set(preempt.Budget)
			l.interruptMu.Unlock()
		}
		if hook != nil {
			hook(ctx, mod) // may end the process and not return
		}
	})
	mod, err := l.rt.NewHostModuleBuilder(preempt.ImportModule).NewFunctionBuilder().
		WithGoModuleFunction(fn, nil, nil).Export(preempt.ImportFunc).Instantiate(ctx)
	if err != nil {
		return err
	}
	l.AllowModule(mod)
	return nil
}

// SaveScratch returns a function that puts the scratch globals of mod (see
// package preempt) back as they are now. The host runs guest code inside a
// preemption call (a signal handler): that code's cold paths reuse the
// scratch globals, in which the interrupted cold path keeps its loop's
// values until the call returns.
func SaveScratch(mod api.Module) (restore func()) {
	var gs []api.MutableGlobal
	var vals []uint64
	for k := 0; ; k++ {
		g, ok := mod.ExportedGlobal(preempt.ScratchPrefix + strconv.Itoa(k)).(api.MutableGlobal)
		if !ok {
			break
		}
		gs = append(gs, g)
		vals = append(vals, g.Get())
	}
	return func() {
		for k, g := range gs {
			g.Set(vals[k])
		}
	}
}
