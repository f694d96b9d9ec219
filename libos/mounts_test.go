package libos

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/occlumgo/occlum/config"
)

func TestExposingMount(t *testing.T) {
	top := t.TempDir()
	inst := filepath.Join(top, "inst")
	cacheIn := filepath.Join(inst, "run", "cache")
	cacheOut := filepath.Join(top, "cache")
	for _, d := range []string{cacheIn, cacheOut} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(top, "link")
	if err := os.Symlink(inst, link); err != nil {
		t.Fatal(err)
	}
	hostfs := func(src string) []config.Mount {
		return []config.Mount{{Target: "/", Type: "hashfs", Source: "./image"}, {Target: "/host", Type: "hostfs", Source: src}}
	}
	for _, tc := range []struct {
		name   string
		mounts []config.Mount
		cache  string
		want   bool
	}{
		{"default /host exposes a cache in the instance", hostfs("."), cacheIn, true},
		{"cache outside the instance", hostfs("."), cacheOut, false},
		{"absolute source above the cache", hostfs(top), cacheOut, true},
		{"through a symlinked source", hostfs(link), cacheIn, true},
		{"the cache itself mounted", hostfs(cacheOut), cacheOut, true},
		{"sibling directory", hostfs(filepath.Join(top, "cachex")), cacheOut, false},
		{"no hostfs", []config.Mount{{Target: "/", Type: "hashfs", Source: "."}}, cacheIn, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := exposingMount(tc.mounts, inst, tc.cache); got != tc.want {
				t.Fatalf("exposed = %v, want %v", got, tc.want)
			}
		})
	}
}
