package instance

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/occlumgo/occlum/platform"
)

// SignKeyBits is the size of signing keys, as SGX requires.
const SignKeyBits = 3072

// Hash is a SHA-256 value, written as hex in JSON.
type Hash [32]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes h as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads 64 hex digits.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("hash must be 64 hex digits, got %d characters", len(b))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// SigStruct is the signed measurement of a build, build/sigstruct.json.
type SigStruct struct {
	Version       int    `json:"version"`
	SGXMode       string `json:"sgx_mode"`
	LibOSHash     Hash   `json:"libos_sha256"`
	ConfigHash    Hash   `json:"config_sha256"`
	ImageRootHash Hash   `json:"image_root_hash"`
	ProductID     uint16 `json:"product_id"`
	VersionNumber uint16 `json:"version_number"`
	Debuggable    bool   `json:"debuggable"`
	MREnclave     Hash   `json:"mrenclave"`
	MRSigner      Hash   `json:"mrsigner"`
	// SignerKey is the PKIX DER encoding of the signer's public key.
	SignerKey []byte `json:"signer_public_key"`
	// Signature is RSA PKCS#1 v1.5 over SHA-256(SignedBody()).
	Signature []byte `json:"signature"`
}

// ComputeMREnclave returns MRENCLAVE of the signed fields.
func (s *SigStruct) ComputeMREnclave() Hash {
	var b bytes.Buffer
	b.WriteString("occlum-mrenclave-v1\x00")
	b.Write(s.LibOSHash[:])
	b.Write(s.ConfigHash[:])
	b.Write(s.ImageRootHash[:])
	binary.Write(&b, binary.BigEndian, s.ProductID)
	binary.Write(&b, binary.BigEndian, s.VersionNumber)
	b.WriteByte(boolByte(s.Debuggable))
	return sha256.Sum256(b.Bytes())
}

// SignedBody is the byte string the signature covers: every field but the
// signature itself, in a fixed binary layout.
func (s *SigStruct) SignedBody() []byte {
	var b bytes.Buffer
	b.WriteString("occlum-sigstruct-v1\x00")
	binary.Write(&b, binary.BigEndian, uint32(s.Version))
	binary.Write(&b, binary.BigEndian, uint16(len(s.SGXMode)))
	b.WriteString(s.SGXMode)
	for _, h := range []Hash{s.LibOSHash, s.ConfigHash, s.ImageRootHash, s.MREnclave, s.MRSigner} {
		b.Write(h[:])
	}
	binary.Write(&b, binary.BigEndian, s.ProductID)
	binary.Write(&b, binary.BigEndian, s.VersionNumber)
	b.WriteByte(boolByte(s.Debuggable))
	binary.Write(&b, binary.BigEndian, uint32(len(s.SignerKey)))
	b.Write(s.SignerKey)
	return b.Bytes()
}

// Measurement returns the platform's view of the signed measurement.
func (s *SigStruct) Measurement() platform.Measurement {
	return platform.Measurement{
		MREnclave: s.MREnclave, MRSigner: s.MRSigner,
		ProductID: s.ProductID, SVN: s.VersionNumber, Debuggable: s.Debuggable,
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// sign fills in MRSIGNER, the public key and the signature.
func (s *SigStruct) sign(key *rsa.PrivateKey) error {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	s.SignerKey = der
	s.MRSigner = MRSigner(&key.PublicKey)
	digest := sha256.Sum256(s.SignedBody())
	s.Signature, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	return err
}

// Check verifies the signature with the embedded key, that MRSIGNER is
// that key's, and that MRENCLAVE matches the signed fields. It says
// nothing about the files on disk.
func (s *SigStruct) Check() error {
	bad := func(msg string) error {
		return &Error{Kind: ErrBadSignature, Msg: SigStructFile + ": " + msg,
			Hint: "the build was altered or is corrupt; run `occlum build` again"}
	}
	if s.Version != sigStructVersion {
		return bad(fmt.Sprintf("unsupported version %d", s.Version))
	}
	pub, err := x509.ParsePKIXPublicKey(s.SignerKey)
	if err != nil {
		return bad("signer public key is malformed")
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok || rsaPub.N.BitLen() != SignKeyBits {
		return bad("signer public key is not RSA-3072")
	}
	if MRSigner(rsaPub) != s.MRSigner {
		return bad("MRSIGNER does not match the signer key (tampered)")
	}
	digest := sha256.Sum256(s.SignedBody())
	if err := rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, digest[:], s.Signature); err != nil {
		return bad("signature invalid (tampered, or not made by the signer key)")
	}
	if s.ComputeMREnclave() != s.MREnclave {
		return bad("MRENCLAVE does not match the signed fields")
	}
	return nil
}

// MRSigner returns SGX's MRSIGNER of key: SHA-256 of the modulus as 384
// little-endian bytes.
func MRSigner(key *rsa.PublicKey) Hash {
	be := key.N.FillBytes(make([]byte, SignKeyBits/8))
	for i, j := 0, len(be)-1; i < j; i, j = i+1, j-1 {
		be[i], be[j] = be[j], be[i]
	}
	return sha256.Sum256(be)
}

// ReadSigStruct reads and checks (SigStruct.Check) the signed measurement
// of the instance in dir.
func ReadSigStruct(dir string) (*SigStruct, error) {
	if err := isInstance(dir); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, SigStructFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Kind: ErrNotBuilt, Msg: fmt.Sprintf("instance %s is not built yet", dir),
			Hint: "run `occlum build` first"}
	} else if err != nil {
		return nil, err
	}
	return ParseSigStruct(data)
}

// ParseSigStruct decodes the content of build/sigstruct.json and checks it
// (SigStruct.Check). Every refusal is an *Error of kind ErrBadSignature.
func ParseSigStruct(data []byte) (*SigStruct, error) {
	var s SigStruct
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, &Error{Kind: ErrBadSignature, Msg: SigStructFile + ": malformed: " + err.Error(),
			Hint: "run `occlum build` again"}
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// LoadSignKey reads an RSA-3072 private key from a PEM file, in PKCS#1
// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") form.
func LoadSignKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Kind: ErrSignKey, Msg: "signing key: " + err.Error()}
	}
	return ParseSignKey(data, path)
}

// ParseSignKey is LoadSignKey on the file's content; name is for messages.
func ParseSignKey(data []byte, name string) (*rsa.PrivateKey, error) {
	fail := func(format string, args ...any) error {
		return &Error{Kind: ErrSignKey, Msg: fmt.Sprintf("signing key %s: ", name) + fmt.Sprintf(format, args...),
			Hint: "make one with `openssl genrsa -3 -out key.pem 3072`"}
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fail("not a PEM file")
	}
	if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // only to give a clear message
		return nil, fail("is encrypted; give an unencrypted key")
	}
	var key any
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fail("malformed PKCS#1 key: %v", err)
		}
		return checkSignKey(k, fail)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fail("malformed PKCS#8 key: %v", err)
		}
		key = k
	case "EC PRIVATE KEY":
		return nil, fail("is an ECDSA key; the signing key must be RSA-3072, as for SGX")
	case "ENCRYPTED PRIVATE KEY":
		return nil, fail("is encrypted; give an unencrypted key")
	default:
		return nil, fail("PEM block %q is not a private key (need an RSA private key, PKCS#1 or PKCS#8)", block.Type)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return checkSignKey(k, fail)
	case *ecdsa.PrivateKey:
		return nil, fail("is an ECDSA key; the signing key must be RSA-3072, as for SGX")
	case ed25519.PrivateKey:
		return nil, fail("is an Ed25519 key; the signing key must be RSA-3072, as for SGX")
	default:
		return nil, fail("is a %T; the signing key must be RSA-3072, as for SGX", k)
	}
}

func checkSignKey(k *rsa.PrivateKey, fail func(string, ...any) error) (*rsa.PrivateKey, error) {
	if bits := k.N.BitLen(); bits != SignKeyBits {
		return nil, fail("is RSA-%d; SGX signing needs RSA-%d", bits, SignKeyBits)
	}
	if err := k.Validate(); err != nil {
		return nil, fail("invalid RSA key: %v", err)
	}
	return k, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return placeFile(path, data, perm, os.Rename)
}

// placeFile writes data to a temporary file beside path, with perm and
// synced, then puts it in place with place (os.Rename replaces, os.Link
// fails with fs.ErrExist if path exists).
func placeFile(path string, data []byte, perm fs.FileMode, place func(tmp, path string) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return place(tmp.Name(), path)
}
