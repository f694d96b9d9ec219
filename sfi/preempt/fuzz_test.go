package preempt

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
)

var (
	fuzzRT   wazero.Runtime
	fuzzOnce sync.Once
)

// validate reports whether the runtime accepts bin (decoding and
// validation; the interpreter, so that fuzzing does not spend its time in
// the compiler's back end). A panic is reported as such.
func validate(t *testing.T, bin []byte) (ok bool) {
	fuzzOnce.Do(func() {
		fuzzRT = wazero.NewRuntimeWithConfig(context.Background(), wazero.NewRuntimeConfigInterpreter())
	})
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("the runtime panicked: %v", r)
		}
	}()
	cm, err := fuzzRT.CompileModule(context.Background(), bin)
	if err != nil {
		return false
	}
	cm.Close(context.Background())
	return true
}

// FuzzInstrument checks, for any bytes, that the rewriter does not panic,
// and that what it returns is valid exactly when the guest's module was:
// it never makes an invalid module valid (the class of the review's
// findings: a guest naming what the rewrite added) nor a valid one invalid.
//
// The runtime is asked about the original only when the rewriter accepted
// it, with its name section removed (the rewriter drops a malformed one):
// the runtime's decoder allocates by the counts a module claims, so a
// module the rewriter refuses can make it exhaust memory. That is also
// why the loader never hands the runtime anything but the rewriter's
// output. The other direction, valid programs refused, is covered by the
// tests that run real programs (test/, userland/, libos).
func FuzzInstrument(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.wasm")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bin []byte) {
		out, err := Instrument(bin)
		if err != nil {
			return
		}
		valid := validate(t, withoutNames(t, bin))
		switch ok := validate(t, out); {
		case ok && !valid:
			t.Fatal("the rewrite made an invalid module valid")
		case !ok && valid:
			t.Fatal("the rewrite made a valid module invalid")
		}
	})
}

// withoutNames returns bin without its "name" custom sections.
func withoutNames(t *testing.T, bin []byte) []byte {
	m, err := decode(bin)
	if err != nil {
		t.Fatalf("decode after Instrument accepted: %v", err)
	}
	out := append([]byte(nil), bin[:8]...)
	for _, s := range m.sections {
		if s.id == secCustom {
			if name, _ := (&reader{b: s.body}).name(); name == "name" {
				continue
			}
		}
		out = appendSection(out, s.id, s.body)
	}
	return out
}
