// Package instance manages Occlum instance directories on the host: it
// creates them (New, Init), builds them (Build: image layer, canonical config,
// signed measurement) and verifies a build before it runs (Verify).
//
// An instance directory:
//
//	Occlum.json                    the configuration (package config)
//	image/                         the root file system, copied in by the user
//	  bin/ dev/ etc/ host/ lib/ opt/ proc/ root/ sys/ tmp/
//	host/                          the directory /host mounts: for exchanging
//	                               files with the host
//	run/mount/__ROOT/              the container layer: what programs write
//	                               to /, encrypted (made by the first run)
//	build/                         written by Build, read by Verify
//	  bin/occlum-libos             the LibOS binary that runs the instance
//	  mount/__ROOT/                the image layer: image/ packed into a
//	                               read-only sefs layer (fs/sefs), whose root
//	                               is the image root hash
//	  Occlum.json.canonical        config.Canonical() of Occlum.json
//	  sigstruct.json               the signed measurement (SigStruct)
//
// The measurement, like SGX's MRENCLAVE, covers everything the enclave
// runs:
//
//	MRENCLAVE = SHA-256("occlum-mrenclave-v1\x00" || SHA-256(libos binary) ||
//	            SHA-256(canonical config) || image root hash ||
//	            product_id (BE16) || version_number (BE16) || debuggable (1 byte))
//	MRSIGNER  = SHA-256(signer's RSA modulus, 384 bytes little-endian), as SGX
//
// The signature is RSA-3072 PKCS#1 v1.5 over SHA-256 of SigStruct's signed
// body (see SigStruct.SignedBody), by the --sign-key PEM key or the
// user's developer key (trust.go).
//
// Verify trusts nothing in build/ that the signature does not cover: it
// checks the signature, recomputes MRENCLAVE from the signed fields, and
// compares each signed hash with the files on disk.
package instance

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/occlumgo/occlum/config"
)

// Paths inside an instance directory.
const (
	ConfigFile    = config.FileName
	ImageDir      = "image"
	BuildDir      = "build"
	LibOSFile     = "build/bin/occlum-libos"
	ImageLayerDir = "build/mount/__ROOT"
	// legacyManifestFile is the image manifest of builds before the
	// image layer; Build removes it.
	legacyManifestFile = "build/image.manifest"
	CanonicalFile      = "build/Occlum.json.canonical"
	SigStructFile      = "build/sigstruct.json"
	RunDir             = "run"
	HostDir            = "host"
	// legacyKeyDir held the developer key of builds before it moved to
	// the user's Occlum directory (trust.go); still protected.
	legacyKeyDir     = ".occlum"
	LibOSBinaryName  = "occlum-libos"
	sigStructVersion = 1
)

// imageDirs are created in image/ by New and Init: the usual UNIX tree and
// the mount points of the default Occlum.json.
var imageDirs = []string{"bin", "dev", "etc", "host", "lib", "opt", "proc", "root", "sys", "tmp"}

// ImageDirs returns the directories New and Init create in image/.
func ImageDirs() []string { return append([]string(nil), imageDirs...) }

// New creates an instance in dir, which must not exist or be empty.
func New(dir string) error {
	f, err := os.Open(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	case err != nil:
		return fmt.Errorf("opening %s: %w", dir, err)
	default:
		names, rerr := f.Readdirnames(1)
		f.Close()
		if rerr != nil && rerr != io.EOF {
			return fmt.Errorf("%s is not a directory", dir)
		}
		if len(names) > 0 {
			return &Error{Kind: ErrNotEmpty, Msg: fmt.Sprintf("%s is not empty", dir),
				Hint: "`occlum new` creates a new directory; use `occlum init` to make an existing directory an instance"}
		}
	}
	return create(dir)
}

// Init makes the existing directory dir an instance. It refuses a
// directory that already holds Occlum.json or image/.
func Init(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return &Error{Kind: ErrNotInstance, Msg: fmt.Sprintf("instance directory %s does not exist", dir),
			Hint: "create it first, or use `occlum new " + dir + "`"}
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	for _, name := range []string{ConfigFile, ImageDir} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return &Error{Kind: ErrAlreadyInstance, Msg: fmt.Sprintf("%s is already an Occlum instance (it has %s)", dir, name)}
		}
	}
	return create(dir)
}

// BaseImageFiles are the files `occlum new` puts in image/, by path
// from the image's root: the one user of the LibOS, named as on Linux
// (ls -l, id, getpwuid).
var BaseImageFiles = map[string]string{
	"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
	"etc/group":  "root:x:0:\n",
	// Name resolution (docs/network.md): the loopback names; DNS servers
	// come from the host's resolv.conf at `occlum new` (HostNetFiles).
	"etc/hosts":    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
	"etc/hostname": "occlum\n",
}

// HostNetFiles are host files `occlum new` copies into image/etc when the
// host has them, so that a new instance resolves names as its host does:
// the DNS servers and search domains (only the resolver's own lines of
// resolv.conf) and the service names. They become part of the image, so
// `occlum build` measures them: review them before building, as
// everything in image/.
var HostNetFiles = map[string]func([]byte) []byte{
	"/etc/resolv.conf": resolverLines,
	"/etc/services":    func(b []byte) []byte { return b },
}

// maxHostNetFile bounds a copied host file.
const maxHostNetFile = 1 << 20

// resolverLines keeps the nameserver, search, domain and options lines.
func resolverLines(b []byte) []byte {
	var out []byte
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "nameserver" || f[0] == "search" || f[0] == "domain" || f[0] == "options") {
			out = append(out, strings.Join(f, " ")+"\n"...)
		}
	}
	return out
}

func create(dir string) error {
	for _, d := range imageDirs {
		if err := os.MkdirAll(filepath.Join(dir, ImageDir, d), 0o755); err != nil {
			return err
		}
	}
	for name, content := range BaseImageFiles {
		if err := os.WriteFile(filepath.Join(dir, ImageDir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	for src, keep := range HostNetFiles {
		b, err := os.ReadFile(src)
		if err != nil || len(b) > maxHostNetFile {
			continue // the host has none: the image has none either
		}
		if err := os.WriteFile(filepath.Join(dir, ImageDir, src[1:]), keep(b), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, HostDir), 0o755); err != nil {
		return err
	}
	if err := config.WriteDefault(filepath.Join(dir, ConfigFile)); err != nil {
		return err
	}
	return nil
}

// isInstance checks that dir is an instance directory.
func isInstance(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return &Error{Kind: ErrNotInstance, Msg: fmt.Sprintf("instance directory %s does not exist", dir),
			Hint: "create an instance with `occlum new DIR`, or pass --instance-dir"}
	}
	if !st.IsDir() {
		return &Error{Kind: ErrNotInstance, Msg: fmt.Sprintf("%s is not a directory", dir)}
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
		return &Error{Kind: ErrNotInstance, Msg: fmt.Sprintf("%s is not an Occlum instance (no %s)", dir, ConfigFile),
			Hint: "create one with `occlum new DIR` or `occlum init`, or pass --instance-dir"}
	}
	return nil
}

// InstallPrograms copies every regular file in from (the shell and
// utilities that `make build` puts in bin/userland) into the instance's
// image/bin, leaving files already there alone, and returns how many it
// copied.
func InstallPrograms(dir, from string) (int, error) {
	ents, err := os.ReadDir(from)
	if err != nil {
		return 0, err
	}
	bin := filepath.Join(dir, ImageDir, "bin")
	n := 0
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		dst := filepath.Join(bin, e.Name())
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
