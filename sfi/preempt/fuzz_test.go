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
//
// Custom sections other than "name" take no part in validation, so both
// sides are compared without them: wazero refuses a module whose last
// section is a custom section with nothing after its name ("failed to read
// custom section name[]: EOF", from a zero-length Read at the end of the
// input; the spec allows such a section), and whether the rewrite moves
// one away from the end says nothing about the rewrite
// (testdata/fuzz/FuzzInstrument/a574cda86ee9374b).
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
		valid := validate(t, withoutCustom(t, bin, false))
		switch ok := validate(t, withoutCustom(t, out, true)); {
		case ok && !valid:
			t.Fatal("the rewrite made an invalid module valid")
		case !ok && valid:
			t.Fatal("the rewrite made a valid module invalid")
		}
	})
}

// withoutCustom returns bin, which Instrument accepted or returned,
// without its custom sections, but for its "name" sections if keepNames.
func withoutCustom(t *testing.T, bin []byte, keepNames bool) []byte {
	out := append([]byte(nil), bin[:8]...)
	r := &reader{b: bin, pos: 8}
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			t.Fatal(err)
		}
		size, err := r.u32()
		if err != nil {
			t.Fatal(err)
		}
		body, err := r.bytes(uint64(size))
		if err != nil {
			t.Fatal(err)
		}
		if id == secCustom {
			if name, _ := (&reader{b: body}).name(); name != "name" || !keepNames {
				continue
			}
		}
		out = appendSection(out, id, body)
	}
	return out
}
