package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestLibocclumOverlay(t *testing.T) {
	lib := func(dir string) []string { return []string{dir + "/include/spawn.h", dir + "/libocclum.a"} }
	want := func(dir string) overlay {
		return overlay{
			IncludeDirs: []string{dir + "/include"},
			LinkArgs:    []string{dir + "/libocclum.a", "-Wl,-u,__wasilibc_find_relpath_alloc"},
		}
	}
	exe := func(p string, err error) func() (string, error) { return func() (string, error) { return p, err } }
	tests := []struct {
		name    string
		env     string
		exe     func() (string, error)
		files   []string
		want    overlay
		wantErr string
	}{
		{name: "next to the binary", exe: exe("/opt/occlum/bin/occlum-cc", nil), files: lib("/opt/occlum/bin/libocclum"), want: want("/opt/occlum/bin/libocclum")},
		{name: "none next to the binary", exe: exe("/tmp/go-build/occlum-cc", nil)},
		{name: "half a libocclum is none", exe: exe("/x/bin/occlum-cc", nil), files: []string{"/x/bin/libocclum/include/spawn.h"}},
		{name: "binary unknown", exe: exe("", errors.New("no /proc"))},
		{name: "no Executable in the host"},
		{name: "OCCLUM_LIBOCCLUM wins", env: "/lib/occ", exe: exe("/opt/occlum/bin/occlum-cc", nil),
			files: append(lib("/lib/occ"), lib("/opt/occlum/bin/libocclum")...), want: want("/lib/occ")},
		{name: "OCCLUM_LIBOCCLUM=none", env: "none", exe: exe("/opt/occlum/bin/occlum-cc", nil), files: lib("/opt/occlum/bin/libocclum")},
		{name: "OCCLUM_LIBOCCLUM not a libocclum", env: "/nowhere", wantErr: "OCCLUM_LIBOCCLUM=/nowhere is not a libocclum directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fakeHost(nil, tt.files...)
			h.Getenv = func(k string) string {
				if k == "OCCLUM_LIBOCCLUM" {
					return tt.env
				}
				return ""
			}
			h.Executable = tt.exe
			got, err := libocclum(h)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("overlay %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBadLibocclumIsOneClearLine(t *testing.T) {
	h := fakeHost(map[string]string{"clang": "/usr/bin/clang"}, debianFiles...)
	h.Getenv = func(k string) string {
		if k == "OCCLUM_LIBOCCLUM" {
			return "/nowhere"
		}
		return ""
	}
	var stdout, stderr strings.Builder
	if code := runWith([]string{"occlum-gcc", "-o", "h", "h.c"}, &stdout, &stderr, h); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if got := stderr.String(); strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "occlum-gcc: OCCLUM_LIBOCCLUM=/nowhere") {
		t.Errorf("stderr %q", got)
	}
}
