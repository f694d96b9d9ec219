package libos

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sync"

	"github.com/google/wire"
	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/net/inet"
	"github.com/occlumgo/occlum/net/resolve"
	"github.com/occlumgo/occlum/net/unix"
	"github.com/occlumgo/occlum/sfi"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/occlum"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// The providers below are the parts a LibOS build is made of. gen/wire.go
// composes them; a custom build writes its own injector with other mount
// types or syscall families.

// MountTypeSet is the mount types a build supports, by name.
type MountTypeSet map[string]MountType

// Families is the syscall families (ABI host modules) a build registers.
type Families []abi.Module

// CoreSet provides everything but the choice of mount types and syscall
// families.
var CoreSet = wire.NewSet(ProvideLogger, ProvideNamespace, ProvideKernel, ProvideLoader, New)

// DefaultSet is CoreSet with every mount type and syscall family.
var DefaultSet = wire.NewSet(CoreSet, DefaultMountTypes, DefaultFamilies)

// DefaultMountTypes provides every mount type MountTypes registers.
func DefaultMountTypes() MountTypeSet { return MountTypes() }

// DefaultFamilies provides WASI preview 1 and the occlum extension.
func DefaultFamilies() Families {
	return Families{
		{Name: wasi.ModuleName, Funcs: wasi.Funcs()},
		{Name: occlum.ModuleName, Funcs: occlum.Funcs()},
	}
}

// ProvideLogger returns the configured logger or a no-op one.
func ProvideLogger(o Options) *zap.Logger {
	if o.Logger == nil {
		return zap.NewNop()
	}
	return o.Logger
}

// ProvideNamespace mounts the configured file systems. The cleanup
// unmounts them (sefs layers commit).
func ProvideNamespace(o Options, types MountTypeSet, log *zap.Logger) (*vfs.Namespace, func(), error) {
	if o.Config == nil {
		return nil, nil, fmt.Errorf("libos: no configuration")
	}
	if o.MountTypes != nil {
		types = o.MountTypes
	}
	return buildNamespace(o.Config.Mounts, types, mountEnv(o, log))
}

// mountEnv is what the configured mount types get from o.
func mountEnv(o Options, log *zap.Logger) MountEnv {
	// Compiled code runs outside SFI: the compile cache is as trusted as
	// the LibOS binary.
	protected := append([]string(nil), o.Protected...)
	if o.CacheDir != "" {
		protected = append(protected, o.CacheDir)
	}
	env := MountEnv{
		InstanceDir: o.InstanceDir, ImageRoot: o.ImageRoot, ImageKey: o.ImageKey, Protected: protected,
		MemorySize: uint64(o.Config.ResourceLimits.UserSpaceSize),
		Report:     integrityReporter(log, o.Stderr),
		Warn:       func(err error) { log.Warn("refused", zap.Error(err)) },
	}
	if o.Platform != nil {
		env.SealKey = o.Platform.SealKey
	}
	env.Terminal = terminal(o.Stdin, o.Stdout, o.Stderr)
	return env
}

// maxIntegrityLines bounds the integrity errors shown on stderr in one run.
const maxIntegrityLines = 20

// integrityReporter logs integrity errors, and shows the first ones on
// stderr whatever the log level: a host that tampers with a layer is news
// the user must see.
func integrityReporter(log *zap.Logger, stderr io.Writer) func(error) {
	var mu sync.Mutex
	shown := 0
	return func(err error) {
		log.Error("integrity", zap.Error(err))
		if stderr == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch shown++; {
		case shown <= maxIntegrityLines:
			fmt.Fprintf(stderr, "occlum: %v\n", err)
		case shown == maxIntegrityLines+1:
			fmt.Fprintf(stderr, "occlum: more integrity errors are not shown (OCCLUM_LOG_LEVEL=error logs them all)\n")
		}
	}
}

// ProvideKernel creates the kernel with the configured limits.
func ProvideKernel(o Options, ns *vfs.Namespace, log *zap.Logger) *kernel.Kernel {
	k := kernel.New(ns, kernel.SystemClock(), rand.Reader, kernel.Limits{
		MaxProcesses:  o.Config.ResourceLimits.MaxNumOfThreads,
		MaxOpenFiles:  fdtable.DefaultLimit,
		UserSpaceSize: uint64(o.Config.ResourceLimits.UserSpaceSize),
		ProcessMemory: uint64(o.Config.Process.MemoryLimit()),
	})
	k.Net = socket.NewStack()
	// Socket buffers count against kernel_space_heap_size: what guests
	// make the LibOS hold for them, as in the original.
	budget := socket.NewBudget(int64(o.Config.ResourceLimits.KernelSpaceHeapSize))
	up := unix.New(ns)
	up.Budget = budget
	k.Net.Register(up, socket.AF_UNIX)
	ip := inet.New()
	ip.Budget = budget
	if o.Config.Network != nil {
		ip.Policy = o.Config.Network
		ip.Logf = func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) }
	}
	k.Net.Register(ip, socket.AF_INET, socket.AF_INET6)
	res := &resolve.Resolver{NS: ns}
	if o.Config.Network != nil {
		res.Allow = o.Config.Network.AllowConnect
	}
	k.Resolver = res
	for _, m := range ns.Mounts() {
		if u, ok := m.FS.(KernelUser); ok {
			u.BindKernel(k)
		}
	}
	return k
}

// ProvideLoader starts the runtime and registers the syscall families.
func ProvideLoader(ctx context.Context, o Options, fams Families, log *zap.Logger) (*sfi.Loader, func(), error) {
	loader, err := sfi.NewLoader(ctx, sfi.Options{
		Engine:        o.Config.SFI.Engine,
		MemoryLimit:   uint64(o.Config.Process.MemoryLimit()),
		UserSpaceSize: uint64(o.Config.ResourceLimits.UserSpaceSize),
		CacheDir:      o.CacheDir,
		Preempt: func(ctx context.Context, mod api.Module) {
			p := kernel.ProcessFrom(ctx)
			if p == nil || !p.NeedsAttention() {
				return
			}
			// A handler run here may overwrite the scratch globals the
			// interrupted code keeps its loop's values in.
			defer sfi.SaveScratch(mod)()
			kernel.AfterSyscall(ctx, p, mod)
		},
	})
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { loader.Close(context.Background()) }
	for _, f := range fams {
		mod, err := abi.Instantiate(ctx, loader.Runtime(), f.Name, f.Funcs, log)
		if err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("libos: registering %s: %w", f.Name, err)
		}
		loader.AllowModule(mod)
	}
	return loader, cleanup, nil
}
