// Package sim is the simulated platform (SGX_MODE=SIM): it runs on any
// machine and derives keys and reports in software. Nothing it produces
// protects anything against the host; every report says SIMULATION.
//
// Key derivation. Every key is HKDF-SHA256 over a root secret, with an
// info string naming the key's purpose and what it is bound to:
//
//	seal key   = HKDF(secret, salt, "occlum-sim seal-signer"  || MRSIGNER  || ISVPRODID || label)
//	unique key = HKDF(secret, salt, "occlum-sim seal-enclave" || MRENCLAVE || label)
//	report key = HKDF(secret, salt, "occlum-sim report")
//
// The root secret stands for the CPU's fused key. With Options.Secret (read
// by MachineSecret from a per-machine file, created on first use) keys differ
// from machine to machine, as on hardware. Without it the secret is a
// published constant, so the keys follow from the (public) signed
// measurement alone: anyone can compute them. That is only good for tests.
package sim

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/occlumgo/occlum/platform"
)

// Name is the platform name of simulation mode.
const Name = "SIM"

// SecretSize is the size of a machine key.
const SecretSize = 32

// salt separates this scheme's keys from any other use of the secret.
var salt = []byte("occlum-sim-v1")

// noSecret is the root secret used when no machine key is given.
var noSecret = []byte("occlum-sim: no machine secret, keys follow from the measurement alone") // never change: every simulated key follows from it

// Options configure a simulated platform.
type Options struct {
	// Measurement is the one of the running enclave, taken from the
	// verified signature of the instance's build.
	Measurement platform.Measurement
	// Secret is the machine key (at least SecretSize bytes), or nil for
	// keys derived from the measurement alone.
	Secret []byte
}

// Platform is the simulated platform.
type Platform struct {
	m      platform.Measurement
	secret []byte
}

var _ platform.Platform = (*Platform)(nil)

// New returns a simulated platform.
func New(opts Options) (*Platform, error) {
	secret := opts.Secret
	if secret == nil {
		secret = noSecret
	} else if len(secret) < SecretSize {
		return nil, fmt.Errorf("sim: machine key is %d bytes, need at least %d", len(secret), SecretSize)
	}
	return &Platform{m: opts.Measurement, secret: bytes.Clone(secret)}, nil
}

// MachineSecret returns the machine key kept in the file at path,
// creating the file (mode 0600, SecretSize random bytes) if it does not
// exist yet.
func MachineSecret(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret := make([]byte, SecretSize)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("sim: machine key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return MachineSecret(path) // created concurrently: use that one
		} else if err != nil {
			return nil, fmt.Errorf("sim: machine key: %w", err)
		}
		if _, err := f.Write(secret); err != nil {
			f.Close()
			return nil, fmt.Errorf("sim: machine key: %w", err)
		}
		return secret, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("sim: machine key: %w", err)
	}
	if len(data) < SecretSize {
		return nil, fmt.Errorf("sim: machine key %s is %d bytes, need at least %d", path, len(data), SecretSize)
	}
	return data, nil
}

// Name returns "SIM".
func (p *Platform) Name() string { return Name }

// Simulated returns true.
func (p *Platform) Simulated() bool { return true }

// Measurement returns the measurement given to New.
func (p *Platform) Measurement() platform.Measurement { return p.m }

func (p *Platform) derive(info ...[]byte) []byte {
	key, err := hkdf.Key(sha256.New, p.secret, salt, string(bytes.Join(info, nil)), platform.SealKeySize)
	if err != nil {
		panic("sim: HKDF of 32 bytes cannot fail: " + err.Error())
	}
	return key
}

// SealKey returns the key for label bound to MRSIGNER and the product ID.
func (p *Platform) SealKey(label string) ([]byte, error) {
	var prod [2]byte
	binary.BigEndian.PutUint16(prod[:], p.m.ProductID)
	return p.derive([]byte("occlum-sim seal-signer\x00"), p.m.MRSigner[:], prod[:], []byte(label)), nil
}

// UniqueSealKey returns the key for label bound to MRENCLAVE.
func (p *Platform) UniqueSealKey(label string) ([]byte, error) {
	return p.derive([]byte("occlum-sim seal-enclave\x00"), p.m.MREnclave[:], []byte(label)), nil
}

// ReportType is the "type" of every simulated report.
const ReportType = "OCCLUM SIMULATION REPORT v1"

// Warning is the "warning" of every simulated report.
const Warning = "SIMULATION: produced in software, not by SGX hardware; it proves nothing about the host"

// report is the evidence format: readable JSON that says what it is.
type report struct {
	Type       string `json:"type"`
	Warning    string `json:"warning"`
	Simulated  bool   `json:"simulated"`
	MREnclave  []byte `json:"mrenclave"`
	MRSigner   []byte `json:"mrsigner"`
	ProductID  uint16 `json:"product_id"`
	SVN        uint16 `json:"svn"`
	Debuggable bool   `json:"debuggable"`
	UserData   []byte `json:"user_data"`
	MAC        []byte `json:"mac"`
}

func (r *report) body() []byte {
	var b bytes.Buffer
	b.WriteString(ReportType + "\x00")
	b.Write(r.MREnclave)
	b.Write(r.MRSigner)
	binary.Write(&b, binary.BigEndian, r.ProductID)
	binary.Write(&b, binary.BigEndian, r.SVN)
	if r.Debuggable {
		b.WriteByte(1)
	} else {
		b.WriteByte(0)
	}
	binary.Write(&b, binary.BigEndian, uint16(len(r.UserData)))
	b.Write(r.UserData)
	return b.Bytes()
}

func (p *Platform) mac(body []byte) []byte {
	h := hmac.New(sha256.New, p.derive([]byte("occlum-sim report")))
	h.Write(body)
	return h.Sum(nil)
}

// Report returns a simulated report over userData, MACed with a key only
// this machine key can derive (like SGX local attestation).
func (p *Platform) Report(userData []byte) ([]byte, error) {
	if len(userData) > platform.ReportDataSize {
		return nil, fmt.Errorf("sim: report data is %d bytes, at most %d", len(userData), platform.ReportDataSize)
	}
	r := &report{
		Type: ReportType, Warning: Warning, Simulated: true,
		MREnclave: p.m.MREnclave[:], MRSigner: p.m.MRSigner[:],
		ProductID: p.m.ProductID, SVN: p.m.SVN, Debuggable: p.m.Debuggable,
		UserData: bytes.Clone(userData),
	}
	r.MAC = p.mac(r.body())
	return json.Marshal(r)
}

// VerifyReport checks a report made by a simulated platform with the same
// machine key.
func (p *Platform) VerifyReport(evidence []byte) (*platform.Report, error) {
	var r report
	if err := json.Unmarshal(evidence, &r); err != nil {
		return nil, fmt.Errorf("sim: report is malformed: %v", err)
	}
	if r.Type != ReportType || !r.Simulated {
		return nil, errors.New("sim: not a simulation report")
	}
	if len(r.MREnclave) != 32 || len(r.MRSigner) != 32 || len(r.UserData) > platform.ReportDataSize {
		return nil, errors.New("sim: report is malformed")
	}
	if !hmac.Equal(r.MAC, p.mac(r.body())) {
		return nil, errors.New("sim: report MAC is invalid (forged, altered, or made with another machine key)")
	}
	out := &platform.Report{Platform: Name, Simulated: true, UserData: r.UserData}
	out.Measurement = platform.Measurement{ProductID: r.ProductID, SVN: r.SVN, Debuggable: r.Debuggable}
	copy(out.Measurement.MREnclave[:], r.MREnclave)
	copy(out.Measurement.MRSigner[:], r.MRSigner)
	return out, nil
}
