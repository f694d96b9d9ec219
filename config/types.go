package config

// Config is the validated, immutable content of Occlum.json. Obtain one with
// Load or Parse; never modify it after it is returned (the LibOS and the
// measurement both depend on it staying what was read).
type Config struct {
	ResourceLimits ResourceLimits
	Process        Process
	EntryPoints    []string
	Env            Env
	Metadata       Metadata
	Mounts         []Mount
	SFI            SFI
	// Network is the optional network policy (nil: allow everything).
	Network *Network
}

// ResourceLimits is "resource_limits".
type ResourceLimits struct {
	UserSpaceSize        Size // "user_space_size": all processes' memory together
	KernelSpaceHeapSize  Size // "kernel_space_heap_size"
	KernelSpaceStackSize Size // "kernel_space_stack_size"
	MaxNumOfThreads      int  // "max_num_of_threads": live processes cap
}

// Process is "process": per-process defaults.
type Process struct {
	DefaultStackSize Size // "default_stack_size"
	DefaultHeapSize  Size // "default_heap_size"
	DefaultMmapSize  Size // "default_mmap_size"
}

// MemoryLimit is the most linear memory one process may have: its stack,
// heap and mmap budgets together.
func (p Process) MemoryLimit() Size {
	return p.DefaultStackSize + p.DefaultHeapSize + p.DefaultMmapSize
}

// Env is "env".
type Env struct {
	Default   []string // "default": trusted NAME=value pairs
	Untrusted []string // "untrusted": names that may be taken from the host
}

// Metadata is "metadata".
type Metadata struct {
	ProductID     uint16 // "product_id"
	VersionNumber uint16 // "version_number"
	Debuggable    bool   // "debuggable"
}

// Mount is one entry of "mount".
type Mount struct {
	Target  string // absolute path inside the LibOS
	Type    string // a registered mount type name: unionfs, sefs, hostfs, ramfs, devfs
	Source  string // host path, relative to the instance directory, where the type takes one
	Options MountOptions
}

// MountOptions is a mount's "options".
type MountOptions struct {
	ReadOnly bool // "readonly"
	Size     Size // "size": capacity for ramfs, 0 = limited by user_space_size
	// Exec and SetID let files that guests create or chmod on a hostfs
	// mount keep their execute bits ("exec") and their set-user-ID and
	// set-group-ID bits ("suid"); both are masked off by default.
	Exec  bool
	SetID bool
	// Layers are a unionfs mount's layers ("layers"), each a mount whose
	// target is "/". Exactly one may be writable (the container layer);
	// the others are read-only. Listed lowest first, as in the original
	// Occlum (image, then container), or with the writable layer first
	// and the rest from the top down: both orders mean the same stack.
	Layers []Mount
	// Image marks the sefs layer that `occlum build` packs image/ into
	// and whose root the signed measurement pins ("MAC"; MAC, if not
	// empty, must be that root in hex).
	Image bool
	MAC   string
	// CacheSize is a sefs layer's write-back cache ("cache_size"; 0: the
	// default, 32 MiB).
	CacheSize Size
	// Plugin is the program that serves a "plugin" mount, or runs a
	// hostfs mount out of process ("plugin": a path, relative to the
	// instance directory, or a bare name of a program shipped beside
	// occlum). PluginSHA256 is its SHA-256, which `occlum build` fills in
	// ("plugin_sha256"; measured: a swapped plugin is refused).
	Plugin       string
	PluginSHA256 string
}

// IsZero reports whether no option is set.
func (o *MountOptions) IsZero() bool {
	return !o.ReadOnly && o.Size == 0 && !o.Exec && !o.SetID && len(o.Layers) == 0 &&
		!o.Image && o.MAC == "" && o.CacheSize == 0 && o.Plugin == "" && o.PluginSHA256 == ""
}

// Writable returns the index of a unionfs mount's writable layer, or -1.
func (m *Mount) Writable() int {
	for i, l := range m.Options.Layers {
		if !l.Options.ReadOnly && !l.Options.Image {
			return i
		}
	}
	return -1
}

// Stack returns a unionfs mount's layers from the top down: the writable
// one (if any) first.
func (m *Mount) Stack() []Mount {
	ls := m.Options.Layers
	w := m.Writable()
	out := make([]Mount, 0, len(ls))
	switch {
	case w == 0:
		out = append(out, ls...)
	case w > 0:
		// Lowest first: the writable layer is the last, the top.
		out = append(out, ls[w])
		for i := len(ls) - 1; i >= 0; i-- {
			if i != w {
				out = append(out, ls[i])
			}
		}
	default:
		for i := len(ls) - 1; i >= 0; i-- {
			out = append(out, ls[i])
		}
	}
	return out
}

// ImageLayer returns the mount (or unionfs layer) marked as the image,
// if there is one.
func (c *Config) ImageLayer() (Mount, bool) {
	for _, m := range c.Mounts {
		if m.Options.Image {
			return m, true
		}
		for _, l := range m.Options.Layers {
			if l.Options.Image {
				return l, true
			}
		}
	}
	return Mount{}, false
}

// SFI is "sfi": how guest code is isolated and run.
type SFI struct {
	Engine string // "engine": "compiler" (default) or "interpreter"
}

// Size is a byte count written in Occlum.json as "256MB", "4KB", "1GB" or a
// plain number of bytes.
type Size uint64
