// Package config reads, validates and encodes Occlum.json, the one
// configuration file of an Occlum instance.
//
// Load and Parse return an immutable *Config: every field has been checked,
// and every error names the offending field by its path in the file
// ("resource_limits.user_space_size", "mount[2].type"). Fields absent from
// the file take the values of Default; arrays that are present replace the
// default arrays as a whole.
//
// Decoding is strict and exact: keys are case-sensitive, unknown keys and
// duplicate keys are errors, numbers keep their literal text (no float64
// rounding of byte counts). This is why the file is not decoded through
// spf13/viper: viper folds keys to lower case (so "User_Space_Size" would be
// accepted silently), splits keys on dots, merges duplicate keys, turns
// numbers into float64 and overlays environment variables. The config is
// part of the enclave measurement, so the host environment must not be able
// to change it behind the file's back. viper is used by cmd/occlum for what
// it is good at: binding flags and environment variables (SGX_MODE).
//
// A file is at most MaxFileSize bytes, and its nesting depth is bounded, so
// that a hostile file cannot exhaust memory or the stack.
//
// Sizes are written as a whole number with an optional unit: "256MB",
// "1GB", "4KB", "512K", "1000B", or a plain JSON number of bytes. Units are
// case-insensitive and binary (1KB = 1024 bytes), as in Occlum; B, K/KB/KiB,
// M/MB/MiB, G/GB/GiB and T/TB/TiB are accepted.
//
// Canonical gives the deterministic encoding of a Config that is measured
// by `occlum build`; it is itself a valid Occlum.json that Parse reads back
// to an identical Config.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FileName is the name of the configuration file in an instance directory.
const FileName = "Occlum.json"

// Engines accepted by "sfi.engine".
const (
	EngineCompiler    = "compiler"
	EngineInterpreter = "interpreter"
)

// MaxProcessMemory is the most linear memory a wasm32 process can address.
const MaxProcessMemory = 4 * GB

// MaxFileSize is the largest configuration Parse and Load accept, and the
// largest canonical encoding a configuration may have (so that what `occlum
// build` measures can always be read back). A real Occlum.json is a few
// kilobytes; the bound keeps a hostile or mistaken file of many megabytes
// from being read and decoded into memory.
const MaxFileSize = 1 * MB

// maxThreads bounds "max_num_of_threads" to something a process table can
// hold; it exists to catch typos, not to tune.
const maxThreads = 1 << 20

// Options tell Parse what the caller's LibOS build supports.
type Options struct {
	// MountTypes are the registered mount type names; a mount of any
	// other type is an error that lists these. nil means that names are
	// not checked here (the caller checks them against its own registry);
	// an empty, non-nil slice accepts no type at all.
	MountTypes []string
	// Name is the file name used in error messages; "Occlum.json" if empty.
	Name string
}

// BuiltinMountTypes returns the names of the mount types that the standard
// LibOS build registers: unionfs, sefs, hostfs, ramfs, devfs, procfs
// and plugin.
func BuiltinMountTypes() []string {
	return []string{"unionfs", "sefs", "hostfs", "ramfs", "devfs", "procfs", "plugin"}
}

// Error is a problem with one field of a configuration file.
type Error struct {
	File  string // file name, e.g. "Occlum.json"
	Field string // path of the field, e.g. "mount[2].type"; empty for syntax errors
	Msg   string // what is wrong
	Hint  string // what to do about it; may be empty

	fieldInMsg bool // Msg already names Field
}

func (e *Error) Error() string {
	if e.Field == "" || e.fieldInMsg {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Field + ": " + e.Msg
}

// Load reads and validates the configuration file at path.
func Load(path string, opts Options) (*Config, error) {
	if opts.Name == "" {
		opts.Name = filepath.Base(path)
	}
	data, err := readFile(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = "cannot read " + pe.Path + ": " + pe.Err.Error()
		}
		return nil, &Error{File: opts.Name, Msg: msg}
	}
	return Parse(data, opts)
}

// readFile reads at most MaxFileSize+1 bytes of the file at path: enough
// for Parse to refuse a larger one without reading all of it.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(MaxFileSize)+1))
}

func tooLarge(name, what string) error {
	return &Error{File: name, Msg: fmt.Sprintf("%s larger than %s, the most a configuration may be", what, Size(MaxFileSize)),
		Hint: "Occlum.json is a few kilobytes; check that this is the right file"}
}

// Parse validates data, the content of a configuration file.
func Parse(data []byte, opts Options) (*Config, error) {
	name := opts.Name
	if name == "" {
		name = FileName
	}
	if len(data) > int(MaxFileSize) {
		return nil, tooLarge(name, "is")
	}
	root, err := parseJSON(data)
	if err != nil {
		return nil, &Error{File: name, Msg: "malformed JSON: " + err.Error(), Hint: "Occlum.json must be one JSON object, without comments"}
	}
	d := &decoder{file: name}
	c := Default()
	if err := d.config(root, c); err != nil {
		return nil, err
	}
	if err := d.validate(c, opts); err != nil {
		return nil, err
	}
	// The canonical encoding spells out what the file may leave out
	// (defaults, mount options, indentation), so it can be several times
	// larger; it must stay readable.
	if len(c.Canonical()) > int(MaxFileSize) {
		return nil, tooLarge(name, "its canonical encoding is")
	}
	return c, nil
}

// Default returns the configuration that `occlum new` writes.
func Default() *Config {
	return &Config{
		ResourceLimits: ResourceLimits{
			UserSpaceSize:        256 * MB,
			KernelSpaceHeapSize:  32 * MB,
			KernelSpaceStackSize: 1 * MB,
			MaxNumOfThreads:      32,
		},
		Process: Process{
			DefaultStackSize: 4 * MB,
			DefaultHeapSize:  16 * MB,
			DefaultMmapSize:  32 * MB,
		},
		EntryPoints: []string{"/bin"},
		Env: Env{
			Default:   []string{"OCCLUM=yes"},
			Untrusted: []string{"EXAMPLE"},
		},
		Metadata: Metadata{ProductID: 0, VersionNumber: 0, Debuggable: true},
		Mounts: []Mount{
			// The root: a writable, encrypted container layer over the
			// image layer that `occlum build` packs image/ into (the
			// original Occlum's table; docs/sefs.md).
			{Target: "/", Type: "unionfs", Options: MountOptions{Layers: []Mount{
				{Target: "/", Type: "sefs", Source: "./build/mount/__ROOT", Options: MountOptions{Image: true}},
				{Target: "/", Type: "sefs", Source: "./run/mount/__ROOT"},
			}}},
			// An exchange directory, not the instance directory: what
			// the host executes and trusts must stay out of reach
			// (hostfs also refuses it by identity, whatever the source).
			{Target: "/host", Type: "hostfs", Source: "./host"},
			{Target: "/dev", Type: "devfs"},
			{Target: "/proc", Type: "procfs"},
			{Target: "/tmp", Type: "ramfs"},
			{Target: "/dev/shm", Type: "ramfs"},
		},
		SFI: SFI{Engine: EngineCompiler},
	}
}

// WriteDefault writes the default configuration to path, which must not
// exist yet.
func WriteDefault(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(Default().encode(false)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Canonical returns the deterministic encoding of c that is measured: JSON
// with every field present, in a fixed order, sizes as plain byte counts.
// Parse(c.Canonical()) gives a Config equal to c.
func (c *Config) Canonical() []byte { return c.encode(true) }

// MarshalJSON encodes c as an Occlum.json document with sizes as "256MB".
func (c *Config) MarshalJSON() ([]byte, error) { return c.encode(false), nil }

// EntryAllowed reports whether a program path may be started by `occlum
// run`: it must be absolute and, once cleaned, lie under one of the
// entry_points ("/bin/../etc/x" is /etc/x, not under /bin). It returns the
// cleaned path to start.
func (c *Config) EntryAllowed(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	clean := path.Clean(p)
	for _, ep := range c.EntryPoints {
		if underPrefix(clean, ep) {
			return clean, true
		}
	}
	return "", false
}

func underPrefix(p, prefix string) bool {
	if prefix == "/" {
		return true
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// Environment returns the environment of the first LibOS process:
// env.default, overridden by those host variables (NAME=value, later wins)
// whose names are listed in env.untrusted. Other host entries are dropped.
func (c *Config) Environment(host []string) []string {
	env := slices.Clone(c.Env.Default)
	index := map[string]int{}
	for i, kv := range env {
		index[envName(kv)] = i
	}
	for _, kv := range host {
		name := envName(kv)
		if !strings.Contains(kv, "=") || !slices.Contains(c.Env.Untrusted, name) {
			continue
		}
		if i, ok := index[name]; ok {
			env[i] = kv
		} else {
			index[name] = len(env)
			env = append(env, kv)
		}
	}
	return env
}

func envName(kv string) string {
	name, _, _ := strings.Cut(kv, "=")
	return name
}

// The JSON shape of Occlum.json, in the order fields are written. Sizes
// are "any": a string ("256MB") for people, a number for the measurement.
type (
	jsonConfig struct {
		ResourceLimits jsonLimits  `json:"resource_limits"`
		Process        jsonProcess `json:"process"`
		EntryPoints    []string    `json:"entry_points"`
		Env            jsonEnv     `json:"env"`
		Metadata       jsonMeta    `json:"metadata"`
		Mount          []jsonMount `json:"mount"`
		SFI            jsonSFI     `json:"sfi"`
		Network        *jsonNet    `json:"network,omitempty"`
	}
	jsonNet struct {
		Listen  *[]string `json:"listen,omitempty"`
		Connect *[]string `json:"connect,omitempty"`
	}
	jsonLimits struct {
		UserSpaceSize        any `json:"user_space_size"`
		KernelSpaceHeapSize  any `json:"kernel_space_heap_size"`
		KernelSpaceStackSize any `json:"kernel_space_stack_size"`
		MaxNumOfThreads      int `json:"max_num_of_threads"`
	}
	jsonProcess struct {
		DefaultStackSize any `json:"default_stack_size"`
		DefaultHeapSize  any `json:"default_heap_size"`
		DefaultMmapSize  any `json:"default_mmap_size"`
	}
	jsonEnv struct {
		Default   []string `json:"default"`
		Untrusted []string `json:"untrusted"`
	}
	jsonMeta struct {
		ProductID     uint16 `json:"product_id"`
		VersionNumber uint16 `json:"version_number"`
		Debuggable    bool   `json:"debuggable"`
	}
	jsonMount struct {
		Target  string         `json:"target"`
		Type    string         `json:"type"`
		Source  string         `json:"source,omitempty"`
		Options *jsonMountOpts `json:"options,omitempty"`
	}
	jsonMountOpts struct {
		ReadOnly  bool        `json:"readonly,omitempty"`
		Size      any         `json:"size,omitempty"`
		Exec      bool        `json:"exec,omitempty"`
		SetID     bool        `json:"suid,omitempty"`
		MAC       *string     `json:"MAC,omitempty"`
		CacheSize any         `json:"cache_size,omitempty"`
		Plugin    string      `json:"plugin,omitempty"`
		PluginSum string      `json:"plugin_sha256,omitempty"`
		Layers    []jsonMount `json:"layers,omitempty"`
	}
	jsonSFI struct {
		Engine string `json:"engine"`
	}
)

func (c *Config) encode(canonical bool) []byte {
	size := func(s Size) any {
		if canonical {
			return uint64(s)
		}
		return s.String()
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	j := jsonConfig{
		ResourceLimits: jsonLimits{
			UserSpaceSize:        size(c.ResourceLimits.UserSpaceSize),
			KernelSpaceHeapSize:  size(c.ResourceLimits.KernelSpaceHeapSize),
			KernelSpaceStackSize: size(c.ResourceLimits.KernelSpaceStackSize),
			MaxNumOfThreads:      c.ResourceLimits.MaxNumOfThreads,
		},
		Process: jsonProcess{
			DefaultStackSize: size(c.Process.DefaultStackSize),
			DefaultHeapSize:  size(c.Process.DefaultHeapSize),
			DefaultMmapSize:  size(c.Process.DefaultMmapSize),
		},
		EntryPoints: nonNil(c.EntryPoints),
		Env:         jsonEnv{Default: nonNil(c.Env.Default), Untrusted: nonNil(c.Env.Untrusted)},
		Metadata:    jsonMeta{c.Metadata.ProductID, c.Metadata.VersionNumber, c.Metadata.Debuggable},
		Mount:       []jsonMount{},
		SFI:         jsonSFI{Engine: c.SFI.Engine},
	}
	if c.Network != nil {
		// An empty list (allow nothing) stays distinguishable from an
		// absent one (allow all).
		j.Network = &jsonNet{Listen: ruleStrings(c.Network.Listen), Connect: ruleStrings(c.Network.Connect)}
	}
	var mount func(m Mount) jsonMount
	mount = func(m Mount) jsonMount {
		jm := jsonMount{Target: m.Target, Type: m.Type, Source: m.Source}
		o := m.Options
		if canonical || !o.IsZero() {
			jo := &jsonMountOpts{ReadOnly: o.ReadOnly, Exec: o.Exec, SetID: o.SetID}
			if canonical || o.Size != 0 || (o.Layers == nil && !o.Image && o.CacheSize == 0) {
				jo.Size = size(o.Size)
			}
			if o.Image {
				mac := o.MAC
				jo.MAC = &mac
			}
			jo.Plugin, jo.PluginSum = o.Plugin, o.PluginSHA256
			if (canonical && m.Type == "sefs") || o.CacheSize != 0 {
				jo.CacheSize = size(o.CacheSize)
			}
			for _, l := range o.Layers {
				jo.Layers = append(jo.Layers, mount(l))
			}
			jm.Options = jo
		}
		return jm
	}
	for _, m := range c.Mounts {
		j.Mount = append(j.Mount, mount(m))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(j); err != nil {
		panic("config: encoding a Config cannot fail: " + err.Error())
	}
	return buf.Bytes()
}

// decoder turns the JSON tree into a Config, naming fields in its errors.
type decoder struct{ file string }

func (d *decoder) fail(field, format string, args ...any) error {
	return &Error{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) wrongType(field string, v *value, want string) error {
	return d.fail(field, "must be %s, got %s", want, v.kind)
}

type field struct {
	name   string
	decode func(v *value, path string) error
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// object decodes the members of v with fields, refusing unknown keys.
func (d *decoder) object(v *value, at string, fields []field) error {
	if v.kind != kindObject {
		if at == "" {
			return &Error{File: d.file, Msg: "must be a JSON object, got " + v.kind.String()}
		}
		return d.wrongType(at, v, "an object")
	}
	for _, m := range v.members {
		i := slices.IndexFunc(fields, func(f field) bool { return f.name == m.key })
		p := join(at, m.key)
		if i < 0 {
			return &Error{File: d.file, Field: p, Msg: fmt.Sprintf("unknown field %q", p), Hint: knownHint(m.key, at, fields), fieldInMsg: true}
		}
		if err := fields[i].decode(m.val, p); err != nil {
			return err
		}
	}
	return nil
}

func knownHint(key, at string, fields []field) string {
	names := make([]string, len(fields))
	best, bestDist := "", 3
	for i, f := range fields {
		names[i] = f.name
		if dist := editDistance(strings.ToLower(key), f.name); dist < bestDist {
			best, bestDist = f.name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", join(at, best))
	}
	where := "the top level"
	if at != "" {
		where = at
	}
	return "the fields of " + where + " are: " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func (d *decoder) size(dst *Size) func(*value, string) error {
	return func(v *value, p string) error {
		var s Size
		var err error
		switch v.kind {
		case kindString:
			s, err = ParseSize(v.str)
		case kindNumber:
			s, err = sizeFromNumber(v.str)
		default:
			return d.wrongType(p, v, `a size such as "256MB"`)
		}
		if err != nil {
			return d.fail(p, "%v", err)
		}
		*dst = s
		return nil
	}
}

func (d *decoder) integer(dst *int64, lo, hi int64) func(*value, string) error {
	return func(v *value, p string) error {
		if v.kind != kindNumber {
			return d.wrongType(p, v, "a whole number")
		}
		n, err := strconv.ParseInt(v.str, 10, 64)
		if err != nil || n < lo || n > hi {
			return d.fail(p, "must be a whole number from %d to %d, got %s", lo, hi, v.str)
		}
		*dst = n
		return nil
	}
}

func (d *decoder) boolean(dst *bool) func(*value, string) error {
	return func(v *value, p string) error {
		if v.kind != kindBool {
			return d.wrongType(p, v, "true or false")
		}
		*dst = v.boolean
		return nil
	}
}

func (d *decoder) str(dst *string) func(*value, string) error {
	return func(v *value, p string) error {
		if v.kind != kindString {
			return d.wrongType(p, v, "a string")
		}
		*dst = v.str
		return nil
	}
}

// netRules decodes a list of network policy rules ("ADDRESS:PORTS").
func (d *decoder) netRules(dst *[]NetRule) func(*value, string) error {
	return func(v *value, p string) error {
		var ss []string
		if err := d.strings(&ss)(v, p); err != nil {
			return err
		}
		*dst = []NetRule{}
		for i, s := range ss {
			r, err := ParseNetRule(s)
			if err != nil {
				return d.fail(fmt.Sprintf("%s[%d]", p, i), "%v", err)
			}
			*dst = append(*dst, r)
		}
		return nil
	}
}

func (d *decoder) strings(dst *[]string) func(*value, string) error {
	return func(v *value, p string) error {
		if v.kind != kindArray {
			return d.wrongType(p, v, "an array of strings")
		}
		out := []string{}
		for i, e := range v.elems {
			if e.kind != kindString {
				return d.wrongType(fmt.Sprintf("%s[%d]", p, i), e, "a string")
			}
			out = append(out, e.str)
		}
		*dst = out
		return nil
	}
}

func (d *decoder) config(root *value, c *Config) error {
	var threads, product, version int64
	threads = int64(c.ResourceLimits.MaxNumOfThreads)
	product, version = int64(c.Metadata.ProductID), int64(c.Metadata.VersionNumber)
	err := d.object(root, "", []field{
		{"resource_limits", func(v *value, p string) error {
			rl := &c.ResourceLimits
			return d.object(v, p, []field{
				{"user_space_size", d.size(&rl.UserSpaceSize)},
				{"kernel_space_heap_size", d.size(&rl.KernelSpaceHeapSize)},
				{"kernel_space_stack_size", d.size(&rl.KernelSpaceStackSize)},
				{"max_num_of_threads", d.integer(&threads, 1, maxThreads)},
			})
		}},
		{"process", func(v *value, p string) error {
			pr := &c.Process
			return d.object(v, p, []field{
				{"default_stack_size", d.size(&pr.DefaultStackSize)},
				{"default_heap_size", d.size(&pr.DefaultHeapSize)},
				{"default_mmap_size", d.size(&pr.DefaultMmapSize)},
			})
		}},
		{"entry_points", d.strings(&c.EntryPoints)},
		{"env", func(v *value, p string) error {
			return d.object(v, p, []field{
				{"default", d.strings(&c.Env.Default)},
				{"untrusted", d.strings(&c.Env.Untrusted)},
			})
		}},
		{"metadata", func(v *value, p string) error {
			return d.object(v, p, []field{
				{"product_id", d.integer(&product, 0, 65535)},
				{"version_number", d.integer(&version, 0, 65535)},
				{"debuggable", d.boolean(&c.Metadata.Debuggable)},
			})
		}},
		{"mount", func(v *value, p string) error {
			if v.kind != kindArray {
				return d.wrongType(p, v, "an array of mounts")
			}
			c.Mounts = []Mount{}
			for i, e := range v.elems {
				m, err := d.mount(e, fmt.Sprintf("%s[%d]", p, i))
				if err != nil {
					return err
				}
				c.Mounts = append(c.Mounts, m)
			}
			return nil
		}},
		{"sfi", func(v *value, p string) error {
			return d.object(v, p, []field{{"engine", d.str(&c.SFI.Engine)}})
		}},
		{"network", func(v *value, p string) error {
			c.Network = &Network{}
			return d.object(v, p, []field{
				{"listen", d.netRules(&c.Network.Listen)},
				{"connect", d.netRules(&c.Network.Connect)},
			})
		}},
	})
	c.ResourceLimits.MaxNumOfThreads = int(threads)
	c.Metadata.ProductID, c.Metadata.VersionNumber = uint16(product), uint16(version)
	return err
}

func (d *decoder) mount(v *value, p string) (Mount, error) { return d.mountAt(v, p, 0) }

// mountAt decodes a mount, or (depth 1) a unionfs layer.
func (d *decoder) mountAt(v *value, p string, depth int) (Mount, error) {
	var m Mount
	hasTarget, hasType := false, false
	err := d.object(v, p, []field{
		{"target", func(v *value, p string) error { hasTarget = true; return d.str(&m.Target)(v, p) }},
		{"type", func(v *value, p string) error { hasType = true; return d.str(&m.Type)(v, p) }},
		{"source", d.str(&m.Source)},
		{"options", func(v *value, p string) error {
			return d.object(v, p, []field{
				{"readonly", d.boolean(&m.Options.ReadOnly)},
				{"size", d.size(&m.Options.Size)},
				{"exec", d.boolean(&m.Options.Exec)},
				{"suid", d.boolean(&m.Options.SetID)},
				{"MAC", func(v *value, p string) error { m.Options.Image = true; return d.str(&m.Options.MAC)(v, p) }},
				{"cache_size", d.size(&m.Options.CacheSize)},
				{"plugin", d.str(&m.Options.Plugin)},
				{"plugin_sha256", d.str(&m.Options.PluginSHA256)},
				{"layers", func(v *value, p string) error {
					if v.kind != kindArray {
						return d.wrongType(p, v, "an array of layers")
					}
					if depth > 0 {
						return d.fail(p, "a layer cannot have layers of its own")
					}
					m.Options.Layers = []Mount{}
					for i, e := range v.elems {
						l, err := d.mountAt(e, fmt.Sprintf("%s[%d]", p, i), depth+1)
						if err != nil {
							return err
						}
						m.Options.Layers = append(m.Options.Layers, l)
					}
					return nil
				}},
			})
		}},
	})
	switch {
	case err != nil:
		return m, err
	case !hasTarget:
		return m, d.fail(p+".target", "is missing")
	case !hasType:
		return m, d.fail(p+".type", "is missing")
	case (m.Options.Exec || m.Options.SetID) && m.Type != "hostfs":
		return m, d.fail(p+".options", "exec and suid apply to hostfs mounts only")
	case m.Type == "hashfs":
		return m, d.fail(p+".type", `hashfs was replaced by the sefs image layer: make the root the unionfs of Occlum.json's default (see docs/sefs.md, "Upgrading"), or start from a new instance (occlum new) and copy image/ into it`)
	case (m.Options.Image || m.Options.CacheSize != 0) && m.Type != "sefs":
		return m, d.fail(p+".options", "MAC and cache_size apply to sefs mounts only")
	case m.Options.Plugin != "" && m.Type != "plugin" && m.Type != "hostfs":
		return m, d.fail(p+".options.plugin", "applies to plugin and hostfs mounts only")
	case m.Type == "plugin" && m.Options.Plugin == "":
		return m, d.fail(p+".options.plugin", "a plugin mount needs the plugin program (a path, or the name of one shipped with occlum)")
	case m.Options.PluginSHA256 != "" && !isHex64(m.Options.PluginSHA256):
		return m, d.fail(p+".options.plugin_sha256", "must be empty (occlum build fills it in) or the plugin's SHA-256 in 64 hex digits")
	case m.Options.Layers != nil && m.Type != "unionfs":
		return m, d.fail(p+".options.layers", "layers apply to unionfs mounts only")
	case m.Type == "unionfs" && len(m.Options.Layers) == 0:
		return m, d.fail(p+".options.layers", "a unionfs mount needs its layers")
	case m.Type == "sefs" && m.Source == "":
		return m, d.fail(p+".source", "a sefs mount needs the host directory of its layer")
	case m.Options.Image && m.Options.MAC != "" && !isHex64(m.Options.MAC):
		return m, d.fail(p+".options.MAC", "must be empty (occlum build fills in the image's root) or that root in 64 hex digits")
	case depth > 0 && m.Target != "/":
		return m, d.fail(p+".target", `a layer's target must be "/"`)
	}
	if m.Type == "unionfs" {
		writable := -1
		for i, l := range m.Options.Layers {
			lp := fmt.Sprintf("%s.options.layers[%d]", p, i)
			if l.Type == "unionfs" {
				return m, d.fail(lp+".type", "a layer cannot be a unionfs")
			}
			if !l.Options.ReadOnly && !l.Options.Image {
				if writable >= 0 {
					return m, d.fail(lp, "layers[%d] is writable too: a unionfs has at most one writable layer (mark the others \"readonly\")", writable)
				}
				writable = i
			}
		}
		if writable > 0 && writable != len(m.Options.Layers)-1 {
			return m, d.fail(fmt.Sprintf("%s.options.layers[%d]", p, writable), "the writable layer comes first (top down) or last (lowest first, as the original Occlum lists them)")
		}
	}
	return m, nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// validate checks the relations between fields.
func (d *decoder) validate(c *Config, opts Options) error {
	rl, pr := c.ResourceLimits, c.Process
	if rl.UserSpaceSize == 0 {
		return d.fail("resource_limits.user_space_size", "must not be zero")
	}
	if pr.DefaultStackSize == 0 {
		return d.fail("process.default_stack_size", "must not be zero")
	}
	for _, f := range []struct {
		name string
		size Size
	}{
		{"process.default_stack_size", pr.DefaultStackSize},
		{"process.default_heap_size", pr.DefaultHeapSize},
		{"process.default_mmap_size", pr.DefaultMmapSize},
	} {
		if f.size > MaxProcessMemory {
			return d.fail(f.name, "%s is more than the %s a wasm32 process can address", f.size, MaxProcessMemory)
		}
	}
	if limit := pr.MemoryLimit(); limit > MaxProcessMemory {
		return d.fail("process", "default_stack_size + default_heap_size + default_mmap_size = %s, more than the %s a wasm32 process can address", limit, MaxProcessMemory)
	} else if limit > rl.UserSpaceSize {
		return d.fail("process", "one process may use %s (stack + heap + mmap), more than resource_limits.user_space_size = %s", limit, rl.UserSpaceSize)
	}

	if len(c.EntryPoints) == 0 {
		return d.fail("entry_points", "is empty: no program could be run")
	}
	for i, ep := range c.EntryPoints {
		if err := absClean(ep); err != "" {
			return d.fail(fmt.Sprintf("entry_points[%d]", i), "%q %s", ep, err)
		}
	}

	names := map[string]bool{}
	for i, kv := range c.Env.Default {
		name, _, ok := strings.Cut(kv, "=")
		f := fmt.Sprintf("env.default[%d]", i)
		if !ok {
			return d.fail(f, "%q must be NAME=value", kv)
		}
		if !validEnvName(name) {
			return d.fail(f, "%q: %q is not a valid variable name (letters, digits and _, not starting with a digit)", kv, name)
		}
		if names[name] {
			return d.fail(f, "%s is set twice", name)
		}
		names[name] = true
	}
	for i, name := range c.Env.Untrusted {
		if !validEnvName(name) {
			return d.fail(fmt.Sprintf("env.untrusted[%d]", i), "%q is not a valid variable name (a name only, without =value)", name)
		}
	}

	targets := map[string]int{}
	images := 0
	for i, m := range c.Mounts {
		f := fmt.Sprintf("mount[%d]", i)
		if err := absClean(m.Target); err != "" {
			return d.fail(f+".target", "%q %s", m.Target, err)
		}
		if j, dup := targets[m.Target]; dup {
			return d.fail(f+".target", "%q is already mounted by mount[%d]", m.Target, j)
		}
		targets[m.Target] = i
		if opts.MountTypes != nil {
			for k, l := range m.Options.Layers {
				if !slices.Contains(opts.MountTypes, l.Type) {
					return d.fail(fmt.Sprintf("%s.options.layers[%d].type", f, k), "unknown mount type %q (known: %s)", l.Type, strings.Join(slices.Sorted(slices.Values(opts.MountTypes)), ", "))
				}
			}
		}
		if m.Options.Image {
			images++
		}
		for _, l := range m.Options.Layers {
			if l.Options.Image {
				images++
			}
		}
		if images > 1 {
			return d.fail(f, "a second image layer (\"MAC\"): there is one image")
		}
		if opts.MountTypes != nil && !slices.Contains(opts.MountTypes, m.Type) {
			known := slices.Sorted(slices.Values(opts.MountTypes))
			list := strings.Join(known, ", ")
			if list == "" {
				list = "none"
			}
			return d.fail(f+".type", "unknown mount type %q (known: %s)", m.Type, list)
		}
	}
	if _, ok := targets["/"]; !ok {
		return d.fail("mount", `has no root: a mount with "target": "/" is required`)
	}

	if e := c.SFI.Engine; e != EngineCompiler && e != EngineInterpreter {
		return d.fail("sfi.engine", "must be %q or %q, got %q", EngineCompiler, EngineInterpreter, e)
	}
	return nil
}

// absClean returns why p is not an absolute, clean path, or "".
func absClean(p string) string {
	switch {
	case p == "":
		return "is empty"
	case !strings.HasPrefix(p, "/"):
		return "is not an absolute path"
	case path.Clean(p) != p:
		return fmt.Sprintf("is not a clean path (write %q)", path.Clean(p))
	}
	return ""
}

func validEnvName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
