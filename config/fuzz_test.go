package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// docSample returns the Occlum.json shown in docs/config.md (its first
// ```json block).
func docSample(tb testing.TB) []byte {
	tb.Helper()
	md, err := os.ReadFile(filepath.Join("..", "docs", "config.md"))
	if err != nil {
		tb.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(md), "```json\n")
	sample, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		tb.Fatal("docs/config.md has no ```json block")
	}
	return []byte(sample)
}

// The sample in docs/config.md is what `occlum new` writes, as the page says.
func TestDocSampleIsDefault(t *testing.T) {
	c, err := Parse(docSample(t), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("docs/config.md sample = %+v, want Default() = %+v", c, Default())
	}
}

func TestTooLarge(t *testing.T) {
	// A valid file, padded with blanks past the limit.
	big := append(Default().Canonical(), bytes.Repeat([]byte(" "), int(MaxFileSize))...)
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, big, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, parse := range map[string]func() (*Config, error){
		"Parse": func() (*Config, error) { return Parse(big, testOpts) },
		"Load":  func() (*Config, error) { return Load(p, testOpts) },
	} {
		_, err := parse()
		var ce *Error
		if !errors.As(err, &ce) || err.Error() != "Occlum.json: is larger than 1MB, the most a configuration may be" {
			t.Errorf("%s(%d bytes) = %v", name, len(big), err)
		}
	}
	// Exactly at the limit is fine.
	atLimit := big[:MaxFileSize]
	if _, err := Parse(atLimit, testOpts); err != nil {
		t.Errorf("Parse(%d bytes) = %v", len(atLimit), err)
	}

	// A file under the limit whose canonical encoding (indented, every
	// mount with its options) is over it: `occlum build` would measure
	// what `occlum run` could not read back.
	var b strings.Builder
	b.WriteString(`{"mount":[{"target":"/","type":"ramfs"}`)
	for i := 0; b.Len() < int(MaxFileSize)/2; i++ {
		fmt.Fprintf(&b, `,{"target":"/m%d","type":"ramfs"}`, i)
	}
	b.WriteString(`]}`)
	_, err := Parse([]byte(b.String()), testOpts)
	if err == nil || err.Error() != "Occlum.json: its canonical encoding is larger than 1MB, the most a configuration may be" {
		t.Errorf("Parse(%d bytes, canonical over the limit) = %v", b.Len(), err)
	}
}

// The seeds are what they say they are: testdata/bad-* are refused, the
// others accepted.
func TestFuzzSeeds(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(b, testOpts)
		if bad := strings.HasPrefix(filepath.Base(s), "bad-"); bad != (err != nil) {
			t.Errorf("%s: Parse = %v", s, err)
		}
	}
}

// FuzzParse checks, for any bytes, that Parse does not panic; that an error
// is a one-line *Error naming the file; and that a configuration it accepts
// has a canonical encoding that Parse reads back to the same Config and the
// same bytes (what `occlum build` measures is what `occlum run` reads), as
// it does the encoding for people (MarshalJSON). Parse bounds its input
// (MaxFileSize) and its nesting (maxDepth); the fuzzer's inputs are smaller
// than the first, so TestTooLarge covers it.
//
// Seeds: the default file, the sample in docs/config.md and
// testdata/*.json (valid and invalid files).
func FuzzParse(f *testing.F) {
	p := filepath.Join(f.TempDir(), FileName)
	if err := WriteDefault(p); err != nil {
		f.Fatal(err)
	}
	def, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	f.Add(Default().Canonical())
	f.Add(docSample(f))
	seeds, _ := filepath.Glob("testdata/*.json")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{testOpts, {}} {
			c, err := Parse(data, opts)
			if err != nil {
				checkError(t, err)
				continue
			}
			canon := c.Canonical()
			c2, err := Parse(canon, opts)
			if err != nil {
				t.Fatalf("the canonical encoding of an accepted config is refused: %v\n%s", err, canon)
			}
			if !reflect.DeepEqual(c2, c) {
				t.Fatalf("Parse(Canonical()) = %+v, want %+v", c2, c)
			}
			if again := c2.Canonical(); !bytes.Equal(again, canon) {
				t.Fatalf("Canonical is not idempotent:\n%s\nthen\n%s", canon, again)
			}
			doc, _ := c.MarshalJSON()
			c3, err := Parse(doc, opts)
			if err != nil {
				t.Fatalf("MarshalJSON of an accepted config is refused: %v\n%s", err, doc)
			}
			if !reflect.DeepEqual(c3, c) {
				t.Fatalf("Parse(MarshalJSON()) = %+v, want %+v", c3, c)
			}
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *config.Error", err, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, FileName+": ") || len(msg) == len(FileName+": ") || ce.Msg == "" {
		t.Fatalf("error %q does not name the file or says nothing", msg)
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error %q is not one line", msg)
	}
}
