package sfi_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/sfi"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

func newLoader(t *testing.T, o sfi.Options) *sfi.Loader {
	t.Helper()
	ctx := context.Background()
	l, err := sfi.NewLoader(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(ctx) })
	mod, err := abi.Instantiate(ctx, l.Runtime(), wasi.ModuleName, wasi.Funcs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.AllowModule(mod)
	return l
}

var fdWrite = wasmbuild.Import{Module: wasi.ModuleName, Name: "fd_write",
	Type: wasmbuild.Func{Params: []byte{wasmbuild.I32, wasmbuild.I32, wasmbuild.I32, wasmbuild.I32}, Results: []byte{wasmbuild.I32}}}

func TestLoadRejects(t *testing.T) {
	i32 := wasmbuild.I32
	tests := []struct {
		name string
		bin  []byte
		want string
	}{
		{"elf", append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1}, make([]byte, 64)...), "rebuild it with occlum-gcc"},
		{"script", []byte("#!/bin/sh\necho hi\n"), "is a script"},
		{"text", []byte("hello world, not a program"), "not a WebAssembly program"},
		{"empty", nil, "not a WebAssembly program"},
		{"bad version", []byte{0, 'a', 's', 'm', 2, 0, 0, 0}, "unsupported version"},
		{"truncated", wasmbuild.Module{MemoryPages: 1}.Encode()[:20], "invalid WebAssembly"},
		{"foreign import", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{{Module: "env", Name: "system", Type: wasmbuild.Func{Params: []byte{i32}}}}}.Encode(),
			`imports env.system, which the LibOS does not provide (of module env, only the invoke_<signature> functions of setjmp and C++ exceptions)`},
		{"unknown wasi function", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{{Module: wasi.ModuleName, Name: "fd_frobnicate"}}}.Encode(),
			"imports wasi_snapshot_preview1.fd_frobnicate, which the LibOS does not provide"},
		{"wrong signature", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{{Module: wasi.ModuleName, Name: "fd_write", Type: wasmbuild.Func{Params: []byte{i32}}}}}.Encode(),
			"imports wasi_snapshot_preview1.fd_write with signature (i32) -> (), want (i32,i32,i32,i32) -> (i32)"},
		{"no _start", wasmbuild.Module{MemoryPages: 1, StartName: "main"}.Encode(), "not a WASI command module"},
		{"_start with params", wasmbuild.Module{MemoryPages: 1, StartType: &wasmbuild.Func{Params: []byte{i32}}, Body: nil}.Encode(), "signature other than () -> ()"},
		{"no memory", wasmbuild.Module{NoMemory: true}.Encode(), `does not export its memory as "memory"`},
		{"imported memory", wasmbuild.Module{ImportMemory: true, MemoryPages: 1}.Encode(), "imports memory env.memory"},
		{"memory over limit", wasmbuild.Module{MemoryPages: 100}.Encode(), "needs more memory at start than the per-process limit of 4 MiB"},
	}
	l := newLoader(t, sfi.Options{MemoryLimit: 4 << 20})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Load(context.Background(), "/bin/x", tc.bin)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "/bin/x: ") {
				t.Fatalf("error %q does not name the path and contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadCachesBySHA256(t *testing.T) {
	l := newLoader(t, sfi.Options{})
	bin := wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{fdWrite}}.Encode()
	p1, err := l.Load(context.Background(), "/a", bin)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := l.Load(context.Background(), "/b", append([]byte(nil), bin...))
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 {
		t.Fatal("same binary compiled twice")
	}
	other := wasmbuild.Module{MemoryPages: 2}.Encode()
	p3, err := l.Load(context.Background(), "/c", other)
	if err != nil {
		t.Fatal(err)
	}
	if p3 == p1 || p3.Hash == p1.Hash {
		t.Fatal("different binaries share a program")
	}
}

func TestDiskCache(t *testing.T) {
	dir := t.TempDir()
	bin := wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{fdWrite}}.Encode()
	for i := 0; i < 2; i++ {
		l := newLoader(t, sfi.Options{CacheDir: dir})
		if _, err := l.Load(context.Background(), "/a", bin); err != nil {
			t.Fatal(err)
		}
		l.Close(context.Background())
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("compilation cache %s is empty (%v)", dir, err)
	}
}

func TestEngines(t *testing.T) {
	for _, e := range []string{"", sfi.EngineCompiler, sfi.EngineInterpreter} {
		l := newLoader(t, sfi.Options{Engine: e})
		if _, err := l.Load(context.Background(), "/a", wasmbuild.Module{MemoryPages: 1}.Encode()); err != nil {
			t.Fatalf("engine %q: %v", e, err)
		}
	}
	if _, err := sfi.NewLoader(context.Background(), sfi.Options{Engine: "jit"}); err == nil || !strings.Contains(err.Error(), `unknown engine "jit"`) {
		t.Fatalf("bad engine: %v", err)
	}
}
