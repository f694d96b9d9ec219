package main

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

var testTC = toolchain{
	Clang:      "/usr/bin/clang",
	Sysroot:    "/usr",
	Include:    "/usr/include/wasm32-wasi",
	CXXInclude: "/usr/include/wasm32-wasi/c++/v1",
}

// Prefixes every translation starts with.
var (
	cPrefix   = []string{"--target=wasm32-wasi", "--sysroot=/usr", "-nostdlibinc", "-isystem", "/usr/include/wasm32-wasi"}
	cxxPrefix = []string{"--driver-mode=g++", "--target=wasm32-wasi", "--sysroot=/usr", "-nostdlibinc",
		"-isystem", "/usr/include/wasm32-wasi/c++/v1", "-isystem", "/usr/include/wasm32-wasi", "-fno-exceptions"}
	linkSuffix = []string{"-Wl,-z,stack-size=1048576", "-Wl,--stack-first"}
)

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestTranslate(t *testing.T) {
	tests := []struct {
		name    string
		lang    lang
		user    []string
		want    []string
		linking bool
	}{
		{
			name:    "hello world",
			user:    []string{"-o", "hello_world", "hello_world.c"},
			want:    cat(cPrefix, []string{"-o", "hello_world", "hello_world.c"}, linkSuffix),
			linking: true,
		},
		{
			name: "compile only passes user flags through",
			user: []string{"-c", "-O2", "-g", "-Wall", "-I", "inc", "-Iinc2", "-DX=1", "-D", "Y", "-static", "-o", "a.o", "a.c"},
			want: cat(cPrefix, []string{"-c", "-O2", "-g", "-Wall", "-I", "inc", "-Iinc2", "-DX=1", "-D", "Y", "-static", "-o", "a.o", "a.c"}),
		},
		{
			name: "libraries and objects",
			user: []string{"a.o", "b.o", "-L.", "-lm", "-l", "pthread", "-o", "prog"},
			want: cat([]string{"--target=wasm32-wasi", "--sysroot=/usr", "-isystem", "/usr/include/wasm32-wasi"}, // no -nostdlibinc: nothing is compiled
				[]string{"a.o", "b.o", "-L.", "-lm", "-l", "pthread", "-o", "prog"}, linkSuffix),
			linking: true,
		},
		{
			name:    "position independence, dynamic linking and threads are dropped",
			user:    []string{"-fPIC", "-fpic", "-fPIE", "-fpie", "-pie", "-no-pie", "-rdynamic", "-pthread", "x.c"},
			want:    cat(cPrefix, []string{"x.c"}, linkSuffix),
			linking: true,
		},
		{
			name: "x86 machine flags are dropped",
			user: []string{"-m64", "-m32", "-march=native", "-mtune=generic", "-c", "x.c"},
			want: cat(cPrefix, []string{"-c", "x.c"}),
		},
		{
			name:    "C++ drops exceptions",
			lang:    langCXX,
			user:    []string{"-fexceptions", "-std=c++17", "-o", "p", "p.cpp"},
			want:    cat(cxxPrefix, []string{"-std=c++17", "-o", "p", "p.cpp"}, linkSuffix),
			linking: true,
		},
		{
			name:    "libtool's option and value in two -Wl arguments",
			user:    []string{"-Wl,-rpath", "-Wl,/usr/local/lib", "-Wl,-soname", "-Wl,libx.so.1,--gc-sections", "x.c"},
			want:    cat(cPrefix, []string{"-Wl,--gc-sections", "x.c"}, linkSuffix),
			linking: true,
		},
		{
			name:    "ELF-only linker options are dropped",
			user:    []string{"-Wl,--as-needed,-O1", "-Wl,-rpath,/opt/lib", "-Wl,--build-id=sha1", "-Wl,-soname,libx.so.1,--gc-sections", "-Wl,--hash-style=gnu", "x.c"},
			want:    cat(cPrefix, []string{"-Wl,-O1", "-Wl,--gc-sections", "x.c"}, linkSuffix),
			linking: true,
		},
		{
			name:    "Xlinker pairs are filtered",
			user:    []string{"-Xlinker", "-rpath", "-Xlinker", "/x", "-Xlinker", "--no-as-needed", "-Xlinker", "--export-dynamic", "x.c"},
			want:    cat(cPrefix, []string{"-Xlinker", "--export-dynamic", "x.c"}, linkSuffix),
			linking: true,
		},
		{
			name:    "user stack size wins",
			user:    []string{"-Wl,-z,stack-size=65536", "x.c"},
			want:    cat(cPrefix, []string{"-Wl,-z,stack-size=65536", "x.c", "-Wl,--stack-first"}),
			linking: true,
		},
		{
			name: "no inputs means no link flags",
			user: []string{"--version"},
			want: cat(cPrefix, []string{"--version"}),
		},
		{
			name: "values are not inputs or flags",
			user: []string{"-E", "-o", "-fPIC", "-include", "cfg.h", "-MF", "d.mk", "-"},
			want: cat(cPrefix, []string{"-E", "-o", "-fPIC", "-include", "cfg.h", "-MF", "d.mk", "-"}),
		},
		{
			name:    "stdin input links",
			user:    []string{"-x", "c", "-"},
			want:    cat(cPrefix, []string{"-x", "c", "-"}, linkSuffix),
			linking: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := translate(tt.lang, testTC, tt.user)
			if err != nil {
				t.Fatalf("translate(%q): %v", tt.user, err)
			}
			if !reflect.DeepEqual(inv.Args, tt.want) {
				t.Errorf("translate(%q)\n got %q\nwant %q", tt.user, inv.Args, tt.want)
			}
			if inv.Linking != tt.linking {
				t.Errorf("translate(%q).Linking = %v, want %v", tt.user, inv.Linking, tt.linking)
			}
		})
	}
}

func TestTranslateRejects(t *testing.T) {
	tests := []struct {
		user []string
		want string
	}{
		{[]string{"-shared", "-o", "libx.so", "x.c"}, "shared libraries are not supported"},
		{[]string{"--target=x86_64-linux-gnu", "x.c"}, "the target is always wasm32-wasi"},
		{[]string{"-target", "x86_64-linux-gnu", "x.c"}, "the target is always wasm32-wasi"},
		{[]string{"--sysroot=/opt", "x.c"}, "OCCLUM_WASI_SYSROOT"},
	}
	for _, tt := range tests {
		_, err := translate(langC, testTC, tt.user)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("translate(%q) error = %v, want one containing %q", tt.user, err, tt.want)
		}
	}
}

func TestTranslateOverlay(t *testing.T) {
	tc := testTC
	tc.Overlay = overlay{IncludeDirs: []string{"/occlum/include"}, LinkArgs: []string{"/occlum/lib/libocclum.a"}}
	inv, err := translate(langC, tc, []string{"-o", "p", "p.c"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"--target=wasm32-wasi", "--sysroot=/usr", "-nostdlibinc",
		"-isystem", "/occlum/include", "-isystem", "/usr/include/wasm32-wasi",
		"-o", "p", "p.c", "-mllvm", "-enable-emscripten-sjlj",
		"-Wl,-z,stack-size=1048576", "-Wl,--stack-first", "/occlum/lib/libocclum.a", "-Wl,--export=__stack_pointer"}
	if !reflect.DeepEqual(inv.Args, want) {
		t.Errorf("got  %q\nwant %q", inv.Args, want)
	}
	// "-x c++ a.c" (occlum-g++ on a .c file): the language ends before the
	// overlay's archive, which clang would otherwise compile as C++.
	for _, x := range [][]string{{"-x", "c++"}, {"-xc++"}} {
		inv, err = translate(langCXX, tc, append(append([]string{}, x...), "a.c", "-o", "p"))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.Index(inv.Args, "/occlum/lib/libocclum.a")
		if i < 2 || inv.Args[i-2] != "-x" || inv.Args[i-1] != "none" {
			t.Errorf("%q: got %q, want -x none before the archive", x, inv.Args)
		}
	}
	// Linking objects compiles nothing: no lowering flag (clang would warn
	// that it is unused), but the export.
	inv, err = translate(langC, tc, []string{"-o", "p", "p.o", "libx.a", "libz.so.1"})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"--target=wasm32-wasi", "--sysroot=/usr",
		"-isystem", "/occlum/include", "-isystem", "/usr/include/wasm32-wasi",
		"-o", "p", "p.o", "libx.a", "libz.so.1",
		"-Wl,-z,stack-size=1048576", "-Wl,--stack-first", "/occlum/lib/libocclum.a", "-Wl,--export=__stack_pointer"}
	if !reflect.DeepEqual(inv.Args, want) {
		t.Errorf("got  %q\nwant %q", inv.Args, want)
	}
}

func TestDriverFor(t *testing.T) {
	tests := []struct {
		argv0 string
		name  string
		lang  lang
	}{
		{"/opt/occlum/bin/occlum-gcc", "occlum-gcc", langC},
		{"occlum-cc", "occlum-cc", langC},
		{"bin/occlum-g++", "occlum-g++", langCXX},
		{"occlum-c++", "occlum-c++", langCXX},
		{"", "occlum-gcc", langC},
	}
	for _, tt := range tests {
		name, l := driverFor(tt.argv0)
		if name != tt.name || l != tt.lang {
			t.Errorf("driverFor(%q) = %q, %v; want %q, %v", tt.argv0, name, l, tt.name, tt.lang)
		}
	}
}
