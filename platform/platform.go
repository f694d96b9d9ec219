// Package platform is the one interface between the LibOS and the trusted
// execution environment it runs in: the measurement of what runs, sealing
// keys bound to it, and reports (attestation evidence).
//
// Implementations live in subpackages: platform/sim derives everything in
// software and labels it as simulation (SGX_MODE=SIM); an SGX platform on
// github.com/edgelesssys/ego comes with hardware mode. platform/platforms
// picks one from a mode string. This package imports none of them.
package platform

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Measurement identifies what an enclave runs (MREnclave) and who vouched
// for it (MRSigner), with the signed metadata from Occlum.json.
type Measurement struct {
	MREnclave  [32]byte
	MRSigner   [32]byte
	ProductID  uint16 // metadata.product_id (SGX ISVPRODID)
	SVN        uint16 // metadata.version_number (SGX ISVSVN)
	Debuggable bool   // metadata.debuggable
}

// String returns the measurement in one line, hex-encoded.
func (m Measurement) String() string {
	return fmt.Sprintf("mrenclave=%s mrsigner=%s product_id=%d svn=%d debuggable=%v",
		hex.EncodeToString(m.MREnclave[:]), hex.EncodeToString(m.MRSigner[:]), m.ProductID, m.SVN, m.Debuggable)
}

// ReportDataSize is the most user data a report can carry, as in SGX.
const ReportDataSize = 64

// SealKeySize is the length of the keys SealKey and UniqueSealKey return.
const SealKeySize = 32

// Report is what a verified piece of evidence attests.
type Report struct {
	Platform    string // Name() of the platform that produced it
	Simulated   bool   // true: the evidence proves nothing about the host
	Measurement Measurement
	UserData    []byte // as given to Platform.Report
}

// Platform is the trusted execution environment the LibOS runs in.
type Platform interface {
	// Name is "SIM" or "SGX".
	Name() string
	// Simulated reports whether keys and reports are produced in software
	// (and so protect nothing against the host).
	Simulated() bool
	// Measurement is the measurement of the running enclave.
	Measurement() Measurement
	// SealKey returns a SealKeySize-byte key for label, bound to the
	// signer and the product (MRSIGNER, ISVPRODID): a rebuild signed by the
	// same key gets the same key. This is the key for persistent data.
	//
	// # Errors
	//   - the platform cannot derive keys (hardware failure).
	SealKey(label string) ([]byte, error)
	// UniqueSealKey returns a key for label bound to this exact enclave
	// (MRENCLAVE): any change to the LibOS, config or image changes it.
	UniqueSealKey(label string) ([]byte, error)
	// Report returns attestation evidence that binds userData (at most
	// ReportDataSize bytes) to the measurement.
	//
	// # Errors
	//   - userData is longer than ReportDataSize.
	Report(userData []byte) ([]byte, error)
	// VerifyReport checks evidence produced by Report and returns what it
	// attests.
	//
	// # Errors
	//   - the evidence is malformed, forged or from another platform.
	VerifyReport(evidence []byte) (*Report, error)
}

// Mode is the SGX_MODE an instance is built and run in.
type Mode string

// Modes.
const (
	ModeSIM Mode = "SIM" // software simulation; runs everywhere
	ModeHW  Mode = "HW"  // Intel SGX hardware
)

// ErrHardwareUnsupported is returned for ModeHW by builds without SGX support.
var ErrHardwareUnsupported = errors.New("hardware SGX mode needs the LibOS built with ego-go and run under `ego run`; this build supports SIM only")

// ParseMode parses an SGX mode name, case-insensitively; "" is SIM.
func ParseMode(s string) (Mode, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "SIM":
		return ModeSIM, nil
	case "HW":
		return ModeHW, nil
	}
	return "", fmt.Errorf("unknown SGX mode %q (use SIM or HW)", s)
}
