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
	Type    string // a registered mount type name: hostfs, ramfs, devfs, hashfs
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
}

// SFI is "sfi": how guest code is isolated and run.
type SFI struct {
	Engine string // "engine": "compiler" (default) or "interpreter"
}

// Size is a byte count written in Occlum.json as "256MB", "4KB", "1GB" or a
// plain number of bytes.
type Size uint64
