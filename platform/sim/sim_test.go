package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/platform"
)

func measurement(b byte) platform.Measurement {
	var m platform.Measurement
	m.MREnclave[0], m.MRSigner[0], m.ProductID = b, b+1, 1
	return m
}

func newSim(t *testing.T, m platform.Measurement, secret []byte) *Platform {
	t.Helper()
	p, err := New(Options{Measurement: m, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func key(t *testing.T, f func(string) ([]byte, error), label string) []byte {
	t.Helper()
	k, err := f(label)
	if err != nil || len(k) != platform.SealKeySize {
		t.Fatalf("key: %x, %v", k, err)
	}
	return k
}

func TestSealKeys(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, SecretSize)
	a := newSim(t, measurement(1), secret)
	if a.Name() != "SIM" || !a.Simulated() || a.Measurement() != measurement(1) {
		t.Error("identity")
	}
	// Deterministic.
	if !bytes.Equal(key(t, a.SealKey, "sefs"), key(t, newSim(t, measurement(1), secret).SealKey, "sefs")) {
		t.Error("SealKey is not deterministic")
	}
	// Bound to the label.
	if bytes.Equal(key(t, a.SealKey, "sefs"), key(t, a.SealKey, "other")) {
		t.Error("SealKey ignores the label")
	}
	// SealKey survives a rebuild by the same signer; UniqueSealKey does not.
	rebuilt := measurement(1)
	rebuilt.MREnclave[1] = 9
	b := newSim(t, rebuilt, secret)
	if !bytes.Equal(key(t, a.SealKey, "x"), key(t, b.SealKey, "x")) {
		t.Error("SealKey changed with MRENCLAVE")
	}
	if bytes.Equal(key(t, a.UniqueSealKey, "x"), key(t, b.UniqueSealKey, "x")) {
		t.Error("UniqueSealKey did not change with MRENCLAVE")
	}
	// Another signer, another product, another machine: another key.
	other := measurement(1)
	other.MRSigner[0] = 0x55
	prod := measurement(1)
	prod.ProductID = 2
	for name, p := range map[string]*Platform{
		"signer":  newSim(t, other, secret),
		"product": newSim(t, prod, secret),
		"machine": newSim(t, measurement(1), bytes.Repeat([]byte{8}, SecretSize)),
		"none":    newSim(t, measurement(1), nil),
	} {
		if bytes.Equal(key(t, a.SealKey, "x"), key(t, p.SealKey, "x")) {
			t.Errorf("%s: same SealKey", name)
		}
	}
	if bytes.Equal(key(t, a.SealKey, "x"), key(t, a.UniqueSealKey, "x")) {
		t.Error("SealKey == UniqueSealKey")
	}
}

func TestShortSecret(t *testing.T) {
	if _, err := New(Options{Secret: []byte("short")}); err == nil {
		t.Error("short secret accepted")
	}
}

func TestReport(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, SecretSize)
	p := newSim(t, measurement(3), secret)
	ev, err := p.Report([]byte("nonce"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ev, []byte("SIMULATION")) {
		t.Errorf("report is not labelled SIMULATION: %s", ev)
	}
	r, err := p.VerifyReport(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Simulated || r.Platform != "SIM" || r.Measurement != measurement(3) || string(r.UserData) != "nonce" {
		t.Errorf("report = %+v", r)
	}
	if _, err := p.Report(make([]byte, platform.ReportDataSize+1)); err == nil {
		t.Error("oversized user data accepted")
	}
	forged := bytes.Replace(ev, []byte(`"product_id":1`), []byte(`"product_id":2`), 1)
	if _, err := p.VerifyReport(forged); err == nil || !strings.Contains(err.Error(), "MAC is invalid") {
		t.Errorf("forged report: %v", err)
	}
	if _, err := newSim(t, measurement(3), bytes.Repeat([]byte{9}, SecretSize)).VerifyReport(ev); err == nil {
		t.Error("report verified with another machine secret")
	}
	if _, err := p.VerifyReport([]byte("garbage")); err == nil {
		t.Error("garbage verified")
	}
}

func TestMachineSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "secret")
	s1, err := MachineSecret(path)
	if err != nil || len(s1) != SecretSize {
		t.Fatal(s1, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	s2, err := MachineSecret(path)
	if err != nil || !bytes.Equal(s1, s2) {
		t.Error("secret not kept")
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := MachineSecret(path); err == nil {
		t.Error("short secret file accepted")
	}
}
