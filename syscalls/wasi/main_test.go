package wasi_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// TestMain checks, after a full run, that every function of wasi.Funcs()
// was driven both to success and to at least one error.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		if missing := untested(); len(missing) > 0 {
			for _, s := range missing {
				fmt.Fprintln(os.Stderr, "coverage:", s)
			}
			code = 1
		}
	}
	os.Exit(code)
}

func untested() []string {
	// proc_exit has no result; sched_yield cannot fail; no descriptor is a
	// socket yet, so sock_* cannot succeed.
	noError := map[string]bool{"proc_exit": true, "sched_yield": true}
	noSuccess := map[string]bool{"proc_exit": true, "sock_accept": true, "sock_recv": true, "sock_send": true, "sock_shutdown": true}
	var out []string
	for _, f := range wasi.Funcs() {
		got := wasitest.Returned(f.Name)
		if !noSuccess[f.Name] && !got[eSUCCESS] {
			out = append(out, f.Name+" never succeeded")
		}
		failed := false
		for e := range got {
			failed = failed || e != eSUCCESS
		}
		if !noError[f.Name] && !failed {
			out = append(out, f.Name+" never failed")
		}
	}
	return out
}
