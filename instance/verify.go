package instance

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/fs/sefs"
)

// Verify checks that the build of the instance in dir is intact and still
// matches the instance: signature, Occlum.json, image/ and the LibOS
// binary. Each refusal is an *Error with a one-line message naming what
// changed.
//
// Verify reads only the instance directory and trusts only what the
// signature covers, so the LibOS runs it again inside the enclave.
func Verify(dir string) (*Built, error) { return VerifyWith(dir, VerifyOptions{}) }

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// SkipLibOS leaves out hashing the LibOS binary. The LibOS sets it
	// when it verifies its instance from inside: checking the binary is
	// the loader's job (SGX's EINIT checks MRENCLAVE before the first
	// instruction; in simulation `occlum run` checks the hash before it
	// starts the binary), and a binary cannot meaningfully vouch for
	// itself. It saves hashing ~11 MB on every start.
	SkipLibOS bool
}

// VerifyWith is Verify with options.
func VerifyWith(dir string, o VerifyOptions) (*Built, error) {
	sig, err := ReadSigStruct(dir)
	if err != nil {
		return nil, err
	}
	tampered := func(file, what string) error {
		return &Error{Kind: ErrTampered, Msg: fmt.Sprintf("%s changed after build (%s)", file, what),
			Hint: "run `occlum build` again"}
	}

	// The measured config.
	canonical, err := os.ReadFile(filepath.Join(dir, CanonicalFile))
	if err != nil {
		return nil, tampered(CanonicalFile, "cannot read it")
	}
	if sha256.Sum256(canonical) != [32]byte(sig.ConfigHash) {
		return nil, tampered(CanonicalFile, "its hash is not the signed one")
	}
	cfg, err := config.Parse(canonical, config.Options{Name: CanonicalFile})
	if err != nil {
		return nil, tampered(CanonicalFile, err.Error())
	}

	// Occlum.json as it is now must be what was measured.
	current, err := config.Load(filepath.Join(dir, ConfigFile), config.Options{})
	if err != nil {
		return nil, &Error{Kind: ErrConfigChanged, Msg: "Occlum.json changed after build and is no longer valid: " + err.Error(),
			Hint: "fix it and run `occlum build` again", Err: err}
	}
	// The build filled in plugin_sha256 where Occlum.json leaves it out.
	adoptPluginSums(current.Mounts, cfg.Mounts)
	if !bytes.Equal(current.Canonical(), canonical) {
		return nil, &Error{Kind: ErrConfigChanged, Msg: "Occlum.json changed after build",
			Hint: "run `occlum build` again to measure and sign the new configuration"}
	}

	// The image layer is checked against the signed root by the LibOS as
	// it mounts it (and each block at its first read).
	if m, ok := cfg.ImageLayer(); ok {
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(dir, src)
		}
		if _, err := os.Stat(filepath.Join(src, sefs.MetaFile)); err != nil {
			return nil, &Error{Kind: ErrTampered, Msg: fmt.Sprintf("the image layer %s is missing", m.Source),
				Hint: "run `occlum build` again"}
		}
	}

	// The LibOS binary.
	libos := filepath.Join(dir, LibOSFile)
	if !o.SkipLibOS {
		if err := CheckLibOS(libos, sig); err != nil {
			return nil, err
		}
	}
	return &Built{Dir: dir, Config: cfg, SigStruct: sig, LibOS: libos}, nil
}

// CheckLibOS checks that the binary at path is the signed LibOS. The LibOS
// runs it on its own executable.
func CheckLibOS(path string, sig *SigStruct) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{Kind: ErrLibOSChanged, Msg: fmt.Sprintf("LibOS binary %s is missing", path),
			Hint: "run `occlum build` again"}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if [32]byte(h.Sum(nil)) != [32]byte(sig.LibOSHash) {
		return &Error{Kind: ErrLibOSChanged, Msg: fmt.Sprintf("LibOS binary %s changed after build", path),
			Hint: "run `occlum build` again"}
	}
	return nil
}

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
