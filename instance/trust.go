package instance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The user's Occlum directory holds what a guest must never reach and the
// host trusts: the developer signing key and the signer trusted for each
// instance built here. It is outside every instance (a hostfs mount of an
// instance directory cannot expose it, and hostfs refuses it by identity
// anyway), owner-only (0700, files 0600):
//
//	$OCCLUM_CONFIG_DIR, or occlum/ in the user's configuration directory
//	(~/.config/occlum):
//	  dev_sign_key.pem      the developer key, made by the first build
//	                        without --sign-key
//	  signers/<id>.json     the signer trusted for one instance: the
//	                        MRSIGNER of its last build here; <id> is the
//	                        SHA-256 of the instance's absolute path
//
// `occlum run` starts an instance only if its build is signed by the signer
// trusted for it (RecordedSigner), or by the one given with --mrsigner.
// Release keys are the user's to keep (`occlum build --sign-key FILE`):
// outside any directory a hostfs mount exposes, owner-only, ideally on a
// separate signing machine.

// ConfigDirEnv overrides the user's Occlum directory.
const ConfigDirEnv = "OCCLUM_CONFIG_DIR"

// UserDir returns the user's Occlum directory, creating it (0700) if
// needed.
func UserDir() (string, error) {
	dir, err := userDirPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	return dir, nil
}

func userDirPath() (string, error) {
	if d := os.Getenv(ConfigDirEnv); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the developer key and trusted signers (%v); set %s", err, ConfigDirEnv)
	}
	return filepath.Join(base, "occlum"), nil
}

// DevKeyName is the developer key's file in the user's Occlum directory.
const DevKeyName = "dev_sign_key.pem"

// devKey returns the user's developer key, generating it on first use.
func devKey() (*rsa.PrivateKey, error) {
	dir, err := UserDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DevKeyName)
	if st, err := os.Stat(path); err == nil {
		if st.Mode().Perm()&0o077 != 0 {
			return nil, &Error{Kind: ErrSignKey,
				Msg:  fmt.Sprintf("developer key %s is accessible to other users (mode %04o)", path, st.Mode().Perm()),
				Hint: "chmod 600 " + path}
		}
		return LoadSignKey(path)
	}
	key, err := rsa.GenerateKey(rand.Reader, SignKeyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFileExclusive(path, data, 0o600); errors.Is(err, fs.ErrExist) {
		return LoadSignKey(path) // made concurrently: use that one
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// writeFileExclusive writes data to a new file at path, atomically,
// failing with fs.ErrExist if path exists.
func writeFileExclusive(path string, data []byte, perm fs.FileMode) error {
	return placeFile(path, data, perm, os.Link)
}

// signerRecord is signers/<id>.json.
type signerRecord struct {
	Instance string    `json:"instance"`
	MRSigner Hash      `json:"mrsigner"`
	Recorded time.Time `json:"recorded"`
}

// signerFile returns the record file of the instance in dir.
func signerFile(dir string) (string, string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	user, err := UserDir()
	if err != nil {
		return "", "", err
	}
	id := sha256.Sum256([]byte(abs))
	return filepath.Join(user, "signers", hex.EncodeToString(id[:])+".json"), abs, nil
}

// RecordSigner records mrsigner as the signer trusted for the instance in
// dir; Build calls it.
func RecordSigner(dir string, mrsigner Hash) error {
	path, abs, err := signerFile(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := jsonIndent(signerRecord{Instance: abs, MRSigner: mrsigner, Recorded: time.Now().UTC()})
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

// RecordedSigner returns the signer trusted for the instance in dir, and
// false if none was recorded.
func RecordedSigner(dir string) (Hash, bool, error) {
	path, abs, err := signerFile(dir)
	if err != nil {
		return Hash{}, false, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Hash{}, false, nil
	}
	if err != nil {
		return Hash{}, false, err
	}
	var rec signerRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.Instance != abs {
		return Hash{}, false, fmt.Errorf("trusted signer record %s is corrupt; build the instance again or pass --mrsigner", path)
	}
	return rec.MRSigner, true, nil
}

// ParseMRSigner reads a MRSIGNER given by the user (64 hex digits).
func ParseMRSigner(s string) (Hash, error) {
	var h Hash
	if err := h.UnmarshalText([]byte(s)); err != nil {
		return h, fmt.Errorf("--mrsigner %q: %v", s, err)
	}
	return h, nil
}

// CheckSigner refuses a build not signed by want; from says where want
// came from, for the message.
func CheckSigner(b *Built, want Hash, from string) error {
	if got := b.SigStruct.MRSigner; got != want {
		return &Error{Kind: ErrUntrustedSigner,
			Msg: fmt.Sprintf("%s is signed by MRSIGNER %s, but the trusted signer is %s (%s)",
				SigStructFile, got, want, from),
			Hint: "the build was re-signed by someone else; rebuild it with `occlum build`, or pass --mrsigner " + got.String() + " if you trust that signer"}
	}
	return nil
}

// TrustedSigner returns the signer `occlum run` trusts for the instance in
// dir: mrsigner if given (hex), else the one recorded by its last build
// here, with a description of where it came from.
func TrustedSigner(dir, mrsigner string) (Hash, string, error) {
	if mrsigner != "" {
		h, err := ParseMRSigner(mrsigner)
		return h, "given with --mrsigner", err
	}
	h, ok, err := RecordedSigner(dir)
	if err != nil {
		return Hash{}, "", err
	}
	if !ok {
		return Hash{}, "", &Error{Kind: ErrUntrustedSigner,
			Msg:  fmt.Sprintf("no trusted signer is recorded for the instance %s (it was not built here by this user)", dir),
			Hint: "build it with `occlum build`, or pass --mrsigner HEX (`occlum print mrsigner` shows the build's) after checking who signed it"}
	}
	path, _, _ := signerFile(dir)
	return h, "recorded by `occlum build` in " + path, nil
}

// ProtectedPaths returns the host paths of the instance in dir, and of
// this user, that guests must never reach: what the host later executes
// or trusts (see fs/hostfs). Paths that do not exist are included too
// (hostfs refuses them by name). The user's Occlum directory is created
// if missing, so that no guest can make it first; the default one is
// protected too when OCCLUM_CONFIG_DIR names another.
func ProtectedPaths(dir string) []string {
	out := []string{
		filepath.Join(dir, ConfigFile), filepath.Join(dir, ImageDir), filepath.Join(dir, BuildDir),
		filepath.Join(dir, RunDir), filepath.Join(dir, legacyKeyDir),
	}
	if u, err := UserDir(); err == nil {
		out = append(out, u)
	}
	if base, err := os.UserConfigDir(); err == nil {
		out = append(out, filepath.Join(base, "occlum"))
	}
	return out
}
