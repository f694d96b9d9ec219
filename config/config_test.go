package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var testOpts = Options{MountTypes: BuiltinMountTypes()}

func TestDefaultRoundTrips(t *testing.T) {
	def := Default()
	for name, data := range map[string][]byte{
		"canonical": def.Canonical(),
		"document":  must(def.MarshalJSON()),
	} {
		c, err := Parse(data, testOpts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(c, def) {
			t.Errorf("%s: Parse(encode(Default())) = %+v, want %+v", name, c, def)
		}
	}
	if string(def.Canonical()) != string(Default().Canonical()) {
		t.Error("Canonical is not deterministic")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestWriteDefaultAndLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	if err := WriteDefault(p); err != nil {
		t.Fatal(err)
	}
	if err := WriteDefault(p); err == nil {
		t.Error("WriteDefault overwrote an existing file")
	}
	c, err := Load(p, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("Load(WriteDefault) = %+v", c)
	}
	data, _ := os.ReadFile(p)
	if !strings.Contains(string(data), `"user_space_size": "256MB"`) {
		t.Errorf("default file does not write sizes for people:\n%s", data)
	}
	_, err = Load(filepath.Join(t.TempDir(), FileName), testOpts)
	if err == nil || !strings.HasPrefix(err.Error(), "Occlum.json: cannot read") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestPartialFileTakesDefaults(t *testing.T) {
	c, err := Parse([]byte(`{"resource_limits": {"user_space_size": "1GB"}, "sfi": {"engine": "interpreter"}}`), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.ResourceLimits.UserSpaceSize = GB
	want.SFI.Engine = EngineInterpreter
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]Size{
		"256MB": 256 * MB, "1GB": GB, "4KB": 4 * KB, "512K": 512 * KB, "1000": 1000,
		"1000B": 1000, "256mb": 256 * MB, "2MiB": 2 * MB, " 8 MB ": 8 * MB, "0": 0,
		"1TB": TB, "16777215TB": 16777215 * TB,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"12XB":                 `unknown unit "XB"`,
		"-1MB":                 "negative",
		"1.5GB":                "not a whole number",
		"MB":                   "does not start with a number",
		"":                     "does not start with a number",
		"16777216TB":           "does not fit in 64 bits",
		"99999999999999999999": "does not fit in 64 bits",
		"1 M B":                "unknown unit",
	}
	for in, want := range bad {
		if _, err := ParseSize(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSize(%q) = %v, want error containing %q", in, err, want)
		}
	}
	for _, s := range []Size{0, 1, 1000, KB, 256 * MB, 3 * GB, 2 * TB, KB + 1} {
		if got, err := ParseSize(s.String()); err != nil || got != s {
			t.Errorf("ParseSize(%d.String() = %q) = %d, %v", s, s.String(), got, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		field      string // Error.Field, "" for whole-file errors
		msg        string // substring of Error()
	}{
		{"empty file", ``, "", "file is empty"},
		{"malformed", "{\n  \"entry_points\": [\"/bin\",]\n}", "", "line 2, column"},
		{"truncated", `{"entry_points": [`, "", "unexpected end of file"},
		{"trailing data", `{} {}`, "", "unexpected data after the top-level object"},
		{"not an object", `[1]`, "", "must be a JSON object, got an array"},
		{"duplicate key", `{"sfi": {}, "sfi": {}}`, "", `duplicate key "sfi"`},
		{"unknown top-level", `{"mounts": []}`, "mounts", `Occlum.json: unknown field "mounts"`},
		{"unknown nested", `{"resource_limits": {"user_space_sizee": "1MB"}}`, "resource_limits.user_space_sizee",
			`Occlum.json: unknown field "resource_limits.user_space_sizee"`},
		{"keys are case-sensitive", `{"Resource_Limits": {}}`, "Resource_Limits", `unknown field "Resource_Limits"`},
		{"unknown in mount", `{"mount": [{"target": "/", "type": "ramfs", "sourc": "x"}]}`, "mount[0].sourc", `unknown field "mount[0].sourc"`},
		{"unknown in mount options", `{"mount": [{"target": "/", "type": "ramfs", "options": {"mac": ""}}]}`, "mount[0].options.mac", `unknown field "mount[0].options.mac"`},
		{"MAC on ramfs", `{"mount": [{"target": "/", "type": "ramfs", "options": {"MAC": ""}}]}`, "mount[0].options", "apply to sefs mounts only"},
		{"hashfs", `{"mount": [{"target": "/", "type": "hashfs", "source": "./image"}]}`, "mount[0].type", "hashfs was replaced by the sefs image layer"},
		{"sefs without source", `{"mount": [{"target": "/", "type": "sefs"}]}`, "mount[0].source", "needs the host directory"},
		{"bad MAC", `{"mount": [{"target": "/", "type": "sefs", "source": "x", "options": {"MAC": "12"}}]}`, "mount[0].options.MAC", "64 hex digits"},
		{"unionfs without layers", `{"mount": [{"target": "/", "type": "unionfs"}]}`, "mount[0].options.layers", "needs its layers"},
		{"layers on ramfs", `{"mount": [{"target": "/", "type": "ramfs", "options": {"layers": []}}]}`, "mount[0].options.layers", "unionfs mounts only"},
		{"two writable layers", `{"mount": [{"target": "/", "type": "unionfs", "options": {"layers": [{"target": "/", "type": "sefs", "source": "a"}, {"target": "/", "type": "sefs", "source": "b"}]}}]}`,
			"mount[0].options.layers[1]", "at most one writable layer"},
		{"writable layer in the middle", `{"mount": [{"target": "/", "type": "unionfs", "options": {"layers": [{"target": "/", "type": "ramfs", "options": {"readonly": true}}, {"target": "/", "type": "sefs", "source": "b"}, {"target": "/", "type": "ramfs", "options": {"readonly": true}}]}}]}`,
			"mount[0].options.layers[1]", "comes first"},
		{"layer target", `{"mount": [{"target": "/", "type": "unionfs", "options": {"layers": [{"target": "/x", "type": "sefs", "source": "a"}]}}]}`,
			"mount[0].options.layers[0].target", `must be "/"`},
		{"nested union", `{"mount": [{"target": "/", "type": "unionfs", "options": {"layers": [{"target": "/", "type": "unionfs", "options": {"layers": []}}]}}]}`,
			"mount[0].options.layers[0].options.layers", "cannot have layers"},
		{"two images", `{"mount": [{"target": "/", "type": "sefs", "source": "a", "options": {"MAC": ""}}, {"target": "/x", "type": "sefs", "source": "b", "options": {"MAC": ""}}]}`,
			"mount[1]", "one image"},
		{"layer unknown type", `{"mount": [{"target": "/", "type": "unionfs", "options": {"layers": [{"target": "/", "type": "zfs"}]}}]}`,
			"mount[0].options.layers[0].type", `unknown mount type "zfs"`},
		{"section wrong type", `{"process": 3}`, "process", "must be an object, got a number"},
		{"size wrong type", `{"process": {"default_heap_size": true}}`, "process.default_heap_size", "must be a size"},
		{"size bad unit", `{"resource_limits": {"user_space_size": "12XB"}}`, "resource_limits.user_space_size", `unknown unit "XB"`},
		{"size negative string", `{"process": {"default_mmap_size": "-4MB"}}`, "process.default_mmap_size", "negative"},
		{"size negative number", `{"process": {"default_mmap_size": -4}}`, "process.default_mmap_size", "negative"},
		{"size fraction number", `{"process": {"default_mmap_size": 1.5}}`, "process.default_mmap_size", "not a whole number"},
		{"size overflow", `{"resource_limits": {"kernel_space_heap_size": "99999999999TB"}}`, "resource_limits.kernel_space_heap_size", "does not fit in 64 bits"},
		{"size overflow number", `{"resource_limits": {"kernel_space_heap_size": 99999999999999999999}}`, "resource_limits.kernel_space_heap_size", "does not fit in 64 bits"},
		{"user space zero", `{"resource_limits": {"user_space_size": 0}}`, "resource_limits.user_space_size", "must not be zero"},
		{"stack zero", `{"process": {"default_stack_size": "0MB"}}`, "process.default_stack_size", "must not be zero"},
		{"process over 4GB", `{"resource_limits": {"user_space_size": "16GB"}, "process": {"default_mmap_size": "5GB"}}`, "process.default_mmap_size", "wasm32"},
		{"process sum over 4GB", `{"resource_limits": {"user_space_size": "16GB"}, "process": {"default_heap_size": "2GB", "default_mmap_size": "2GB"}}`, "process", "wasm32"},
		{"process over user space", `{"resource_limits": {"user_space_size": "32MB"}}`, "process", "more than resource_limits.user_space_size"},
		{"threads zero", `{"resource_limits": {"max_num_of_threads": 0}}`, "resource_limits.max_num_of_threads", "from 1 to"},
		{"threads negative", `{"resource_limits": {"max_num_of_threads": -3}}`, "resource_limits.max_num_of_threads", "from 1 to"},
		{"threads fraction", `{"resource_limits": {"max_num_of_threads": 2.5}}`, "resource_limits.max_num_of_threads", "from 1 to"},
		{"threads string", `{"resource_limits": {"max_num_of_threads": "32"}}`, "resource_limits.max_num_of_threads", "must be a whole number, got a string"},
		{"entry points not array", `{"entry_points": "/bin"}`, "entry_points", "must be an array of strings"},
		{"entry points element", `{"entry_points": ["/bin", 3]}`, "entry_points[1]", "must be a string, got a number"},
		{"entry points empty", `{"entry_points": []}`, "entry_points", "no program could be run"},
		{"entry point relative", `{"entry_points": ["bin"]}`, "entry_points[0]", "not an absolute path"},
		{"entry point unclean", `{"entry_points": ["/bin/../etc"]}`, "entry_points[0]", `not a clean path (write "/etc")`},
		{"env default no =", `{"env": {"default": ["OCCLUM"]}}`, "env.default[0]", "must be NAME=value"},
		{"env default bad name", `{"env": {"default": ["1X=y"]}}`, "env.default[0]", "not a valid variable name"},
		{"env default twice", `{"env": {"default": ["A=1", "A=2"]}}`, "env.default[1]", "A is set twice"},
		{"env untrusted with value", `{"env": {"untrusted": ["A=1"]}}`, "env.untrusted[0]", "not a valid variable name"},
		{"env unknown", `{"env": {"trusted": []}}`, "env.trusted", `unknown field "env.trusted"`},
		{"product id range", `{"metadata": {"product_id": 65536}}`, "metadata.product_id", "from 0 to 65535"},
		{"debuggable type", `{"metadata": {"debuggable": "yes"}}`, "metadata.debuggable", "must be true or false, got a string"},
		{"mount not array", `{"mount": {}}`, "mount", "must be an array of mounts"},
		{"mount no target", `{"mount": [{"type": "ramfs"}]}`, "mount[0].target", "is missing"},
		{"mount no type", `{"mount": [{"target": "/"}]}`, "mount[0].type", "is missing"},
		{"mount target null", `{"mount": [{"target": null, "type": "ramfs"}]}`, "mount[0].target", "must be a string, got null"},
		{"mount relative", `{"mount": [{"target": "/", "type": "ramfs"}, {"target": "tmp", "type": "ramfs"}]}`, "mount[1].target", "not an absolute path"},
		{"mount unclean", `{"mount": [{"target": "/", "type": "ramfs"}, {"target": "/tmp/", "type": "ramfs"}]}`, "mount[1].target", "not a clean path"},
		{"mount duplicate", `{"mount": [{"target": "/", "type": "ramfs"}, {"target": "/tmp", "type": "ramfs"}, {"target": "/tmp", "type": "hostfs"}]}`,
			"mount[2].target", `"/tmp" is already mounted by mount[1]`},
		{"mount no root", `{"mount": [{"target": "/tmp", "type": "ramfs"}]}`, "mount", `"target": "/" is required`},
		{"mount unknown type", `{"mount": [{"target": "/", "type": "sysfs"}]}`, "mount[0].type",
			`unknown mount type "sysfs" (known: devfs, hostfs, plugin, procfs, ramfs, sefs, unionfs)`},
		{"mount options size", `{"mount": [{"target": "/", "type": "ramfs"}, {"target": "/tmp", "type": "ramfs", "options": {"size": "1ZB"}}]}`,
			"mount[1].options.size", "unknown unit"},
		{"sfi engine", `{"sfi": {"engine": "jit"}}`, "sfi.engine", `must be "compiler" or "interpreter", got "jit"`},
		{"too deep", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "", "nested more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json), testOpts)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse = %v, want a *config.Error", err)
			}
			if ce.Field != tc.field {
				t.Errorf("Field = %q, want %q (error: %v)", ce.Field, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "Occlum.json: ") {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

func TestUnknownFieldHint(t *testing.T) {
	_, err := Parse([]byte(`{"resource_limits": {"user_space_sizee": "1MB"}}`), testOpts)
	if h := err.(*Error).Hint; h != `did you mean "resource_limits.user_space_size"?` {
		t.Errorf("hint = %q", h)
	}
	_, err = Parse([]byte(`{"banana": 1}`), testOpts)
	if h := err.(*Error).Hint; !strings.Contains(h, "the fields of the top level are: resource_limits, process") {
		t.Errorf("hint = %q", h)
	}
}

func TestMountTypesOption(t *testing.T) {
	data := []byte(`{"mount": [{"target": "/", "type": "zfs"}]}`)
	if _, err := Parse(data, Options{}); err != nil {
		t.Errorf("nil MountTypes must not check names: %v", err)
	}
	_, err := Parse(data, Options{MountTypes: []string{}})
	if err == nil || !strings.Contains(err.Error(), "(known: none)") {
		t.Errorf("empty MountTypes: %v", err)
	}
	if _, err := Parse(data, Options{MountTypes: []string{"zfs"}}); err != nil {
		t.Error(err)
	}
	_, err = Parse([]byte(`{`), Options{Name: "x.json"})
	if err == nil || !strings.HasPrefix(err.Error(), "x.json: ") {
		t.Errorf("Name not used: %v", err)
	}
}

func TestEntryAllowed(t *testing.T) {
	c := Default()
	c.EntryPoints = []string{"/bin", "/usr/local/bin"}
	for in, want := range map[string]string{
		"/bin/hello":              "/bin/hello",
		"/bin//hello":             "/bin/hello",
		"/bin/./x/../hello":       "/bin/hello",
		"/usr/local/bin/app":      "/usr/local/bin/app",
		"/bin/../etc/passwd":      "",
		"/binary/x":               "",
		"bin/hello":               "",
		"/usr/local/bin/../../x":  "",
		"/usr/local/bin/../bin/y": "/usr/local/bin/y",
	} {
		got, ok := c.EntryAllowed(in)
		if got != want || ok != (want != "") {
			t.Errorf("EntryAllowed(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	c.EntryPoints = []string{"/"}
	if got, ok := c.EntryAllowed("/etc/../x"); !ok || got != "/x" {
		t.Errorf("root entry point: %q %v", got, ok)
	}
}

func TestEnvironment(t *testing.T) {
	c := Default()
	c.Env.Default = []string{"OCCLUM=yes", "A=1"}
	c.Env.Untrusted = []string{"A", "EXAMPLE"}
	got := c.Environment([]string{"PATH=/usr/bin", "A=2", "EXAMPLE=x", "EXAMPLE=y", "NOEQUALS"})
	want := []string{"OCCLUM=yes", "A=2", "EXAMPLE=y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Environment = %q, want %q", got, want)
	}
	if len(c.Env.Default) != 2 || c.Env.Default[1] != "A=1" {
		t.Error("Environment modified the config")
	}
}
