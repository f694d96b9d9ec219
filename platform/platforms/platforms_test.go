package platforms

import (
	"errors"
	"testing"

	"github.com/occlumgo/occlum/platform"
	"github.com/occlumgo/occlum/platform/sim"
)

func TestNew(t *testing.T) {
	for _, mode := range []string{"", "SIM", "sim"} {
		p, err := New(mode, sim.Options{})
		if err != nil || !p.Simulated() || p.Name() != "SIM" {
			t.Errorf("New(%q) = %v, %v", mode, p, err)
		}
		if Check(mode) != nil {
			t.Errorf("Check(%q) failed", mode)
		}
	}
	_, err := New("HW", sim.Options{})
	if !errors.Is(err, platform.ErrHardwareUnsupported) || Check("HW") != platform.ErrHardwareUnsupported {
		t.Errorf("New(HW) = %v", err)
	}
	if err.Error() != "hardware SGX mode needs the LibOS built with ego-go and run under `ego run`; this build supports SIM only" {
		t.Errorf("message: %v", err)
	}
	if _, err := New("fast", sim.Options{}); err == nil || Check("fast") == nil {
		t.Error("unknown mode accepted")
	}
}
