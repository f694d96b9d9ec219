package instance

import (
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/fs/hashfs"
	"github.com/occlumgo/occlum/platform"
	"github.com/occlumgo/occlum/platform/platforms"
)

// BuildOptions configure Build.
type BuildOptions struct {
	// SignKeyPath is a PEM RSA-3072 private key; "" uses the user's
	// developer key (see trust.go), generated on first use.
	SignKeyPath string
	// LibOSBinary is the occlum-libos executable to copy into the build.
	LibOSBinary string
	// SGXMode is "SIM" (or "") or "HW".
	SGXMode string
	// MountTypes are the mount types the LibOS registers (nil:
	// config.BuiltinMountTypes()).
	MountTypes []string
	// Warn, if set, receives warnings (one line each).
	Warn func(string)
}

// Built is a verified build, as Verify returns it.
type Built struct {
	Dir       string
	Config    *config.Config // the measured config (equal to Occlum.json)
	Manifest  *hashfs.Manifest
	SigStruct *SigStruct
	LibOS     string // path of build/bin/occlum-libos
	ImageDir  string // the host directory the manifest describes
}

// Measurement returns the signed measurement.
func (b *Built) Measurement() platform.Measurement { return b.SigStruct.Measurement() }

// Build measures and signs the instance in dir and writes build/. A failed
// build leaves the instance "not built".
func Build(dir string, opts BuildOptions) (*Built, error) {
	if err := isInstance(dir); err != nil {
		return nil, err
	}
	mode, err := platform.ParseMode(opts.SGXMode)
	if err != nil {
		return nil, err
	}
	if err := platforms.Check(string(mode)); err != nil {
		return nil, err
	}
	types := opts.MountTypes
	if types == nil {
		types = config.BuiltinMountTypes()
	}
	cfg, err := config.Load(filepath.Join(dir, ConfigFile), config.Options{MountTypes: types})
	if err != nil {
		return nil, err
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(string) {}
	}
	var key *rsa.PrivateKey
	if opts.SignKeyPath != "" {
		key, err = LoadSignKey(opts.SignKeyPath)
		if st, serr := os.Stat(opts.SignKeyPath); err == nil && serr == nil && st.Mode().Perm()&0o077 != 0 {
			warn(fmt.Sprintf("signing key %s is accessible to other users (mode %04o); keep it owner-only (chmod 600) and outside any directory a hostfs mount exposes",
				opts.SignKeyPath, st.Mode().Perm()))
		}
	} else {
		key, err = devKey()
	}
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, legacyKeyDir, DevKeyName)); err == nil {
		warn(fmt.Sprintf("%s holds an old developer key, which guests could read through /host; it is no longer used: delete it",
			filepath.Join(dir, legacyKeyDir, DevKeyName)))
	}
	libos, err := readLibOS(opts.LibOSBinary)
	if err != nil {
		return nil, err
	}
	imageDir := ImagePath(dir, cfg)
	manifest, err := hashfs.BuildManifest(imageDir)
	if err != nil {
		return nil, fmt.Errorf("building the image manifest: %w", err)
	}
	canonical := cfg.Canonical()
	sig := &SigStruct{
		Version:       sigStructVersion,
		SGXMode:       string(mode),
		LibOSHash:     sha256.Sum256(libos),
		ConfigHash:    sha256.Sum256(canonical),
		ImageRootHash: manifest.RootHash(),
		ProductID:     cfg.Metadata.ProductID,
		VersionNumber: cfg.Metadata.VersionNumber,
		Debuggable:    cfg.Metadata.Debuggable,
	}
	sig.MREnclave = sig.ComputeMREnclave()
	if err := sig.sign(key); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	sigJSON, err := jsonIndent(sig)
	if err != nil {
		return nil, err
	}

	// The signature goes first out and last in: an interrupted build is
	// "not built", never a mix of old and new files.
	if err := os.Remove(filepath.Join(dir, SigStructFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(LibOSFile)), 0o755); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		data []byte
		perm fs.FileMode
	}{
		{LibOSFile, libos, 0o755},
		{ManifestFile, manifest.Marshal(), 0o644},
		{CanonicalFile, canonical, 0o644},
		{SigStructFile, sigJSON, 0o644},
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return nil, err
		}
	}
	if err := RecordSigner(dir, sig.MRSigner); err != nil {
		return nil, fmt.Errorf("recording the trusted signer: %w", err)
	}
	return &Built{Dir: dir, Config: cfg, Manifest: manifest, SigStruct: sig,
		LibOS: filepath.Join(dir, LibOSFile), ImageDir: imageDir}, nil
}

// ImagePath returns the host directory measured as the image: the source of
// the root mount when it is a hashfs mount, image/ otherwise.
func ImagePath(dir string, cfg *config.Config) string {
	for _, m := range cfg.Mounts {
		if m.Target == "/" && m.Type == "hashfs" && m.Source != "" {
			if filepath.IsAbs(m.Source) {
				return m.Source
			}
			return filepath.Join(dir, m.Source)
		}
	}
	return filepath.Join(dir, ImageDir)
}

// readLibOS reads the LibOS binary to be measured.
func readLibOS(path string) ([]byte, error) {
	fail := func(msg string) error {
		return &Error{Kind: ErrLibOSBinary, Msg: msg,
			Hint: "build it with `make`, or pass --libos PATH"}
	}
	if path == "" {
		return nil, fail("no LibOS binary given")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(fmt.Sprintf("LibOS binary %s: %v", path, errors.Unwrap(err)))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fail(fmt.Sprintf("LibOS binary %s is not a regular file", path))
	}
	return io.ReadAll(f)
}
