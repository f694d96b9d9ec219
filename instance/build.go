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
	"strconv"
	"time"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/fs/sefs"
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
	// ImageKey, if set, encrypts the image layer (KeySize bytes, see
	// ReadImageKey); `occlum run` then needs the same key.
	ImageKey []byte
	// Warn, if set, receives warnings (one line each).
	Warn func(string)
	// Info, if set, receives what the build did (one line each).
	Info func(string)
}

// Built is a verified build, as Verify returns it.
type Built struct {
	Dir       string
	Config    *config.Config // the measured config (equal to Occlum.json)
	SigStruct *SigStruct
	LibOS     string // path of build/bin/occlum-libos
}

// ImageRoot returns the signed root of the image layer.
func (b *Built) ImageRoot() *[32]byte {
	r := [32]byte(b.SigStruct.ImageRootHash)
	return &r
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
	imageRoot, err := packImage(dir, cfg, opts)
	if err != nil {
		return nil, err
	}
	if err := measurePlugins(dir, cfg); err != nil {
		return nil, err
	}
	canonical := cfg.Canonical()
	sig := &SigStruct{
		Version:       sigStructVersion,
		SGXMode:       string(mode),
		LibOSHash:     sha256.Sum256(libos),
		ConfigHash:    sha256.Sum256(canonical),
		ImageRootHash: imageRoot,
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
		{CanonicalFile, canonical, 0o644},
		{SigStructFile, sigJSON, 0o644},
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return nil, err
		}
	}
	// The manifest of builds before the image layer.
	os.Remove(filepath.Join(dir, legacyManifestFile))
	if err := RecordSigner(dir, sig.MRSigner); err != nil {
		return nil, fmt.Errorf("recording the trusted signer: %w", err)
	}
	return &Built{Dir: dir, Config: cfg, SigStruct: sig, LibOS: filepath.Join(dir, LibOSFile)}, nil
}

// packImage packs image/ into the image layer of the config (normally
// build/mount/__ROOT) and returns its root; without an image layer, the
// root is zero. The layer is made beside the old one and renamed into
// place, so a failed build leaves no half-written layer.
func packImage(dir string, cfg *config.Config, opts BuildOptions) ([32]byte, error) {
	m, ok := cfg.ImageLayer()
	if !ok {
		if opts.ImageKey != nil {
			return [32]byte{}, fmt.Errorf("--image-key: Occlum.json has no image layer (a sefs mount with \"MAC\") to encrypt")
		}
		return [32]byte{}, nil
	}
	dst := m.Source
	if !filepath.IsAbs(dst) {
		dst = filepath.Join(dir, dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return [32]byte{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".new-")
	if err != nil {
		return [32]byte{}, err
	}
	defer os.RemoveAll(tmp)
	st, err := sefs.NewDirStorage(tmp, true)
	if err != nil {
		return [32]byte{}, err
	}
	po := sefs.PackOptions{Mode: sefs.Integrity, Time: sourceDateEpoch(), Warn: opts.Warn}
	if opts.ImageKey != nil {
		po.Mode, po.Key = sefs.Encrypted, opts.ImageKey
	}
	start := time.Now()
	root, stats, err := sefs.Pack(filepath.Join(dir, ImageDir), st, po)
	if err != nil {
		return [32]byte{}, fmt.Errorf("packing image/ into %s: %w", m.Source, err)
	}
	old := tmp + ".old"
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return [32]byte{}, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return [32]byte{}, err
	}
	os.RemoveAll(old)
	if opts.Info != nil {
		opts.Info(fmt.Sprintf("packed image/ into %s (%s): %d files, %d directories, %.1f MB in %.2f s",
			m.Source, po.Mode, stats.Files, stats.Dirs+1, float64(stats.Bytes)/1e6, time.Since(start).Seconds()))
	}
	return root, nil
}

// sourceDateEpoch is the time of every packed inode: $SOURCE_DATE_EPOCH
// (reproducible builds' convention), else the epoch.
func sourceDateEpoch() int64 {
	if v, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil && v > 0 {
		return v * 1e9
	}
	return 0
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
