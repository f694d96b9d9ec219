package platform

import (
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeSIM, "SIM": ModeSIM, "sim": ModeSIM, " HW ": ModeHW, "hw": ModeHW} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("SGX"); err == nil || !strings.Contains(err.Error(), `unknown SGX mode "SGX" (use SIM or HW)`) {
		t.Errorf("ParseMode(SGX) = %v", err)
	}
}

func TestMeasurementString(t *testing.T) {
	m := Measurement{ProductID: 7, Debuggable: true}
	m.MREnclave[0] = 0xab
	s := m.String()
	if !strings.HasPrefix(s, "mrenclave=ab00") || !strings.Contains(s, "product_id=7") {
		t.Errorf("String = %q", s)
	}
}
