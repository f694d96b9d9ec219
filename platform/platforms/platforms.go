// Package platforms is where a LibOS build chooses its platform from the
// SGX mode: the platforms this build contains are listed here, in one
// explicit place. This build contains the simulated platform only.
package platforms

import (
	"github.com/occlumgo/occlum/platform"
	"github.com/occlumgo/occlum/platform/sim"
)

// New returns the platform for mode ("SIM" or "HW", case-insensitive; ""
// is SIM). sim configures the simulated platform. HW is an error that says
// how to get hardware mode.
func New(mode string, simOpts sim.Options) (platform.Platform, error) {
	m, err := platform.ParseMode(mode)
	if err != nil {
		return nil, err
	}
	if m == platform.ModeHW {
		return nil, platform.ErrHardwareUnsupported
	}
	return sim.New(simOpts)
}

// Check reports whether this build can run in mode, without creating a
// platform: nil for SIM, ErrHardwareUnsupported for HW.
func Check(mode string) error {
	m, err := platform.ParseMode(mode)
	if err != nil {
		return err
	}
	if m == platform.ModeHW {
		return platform.ErrHardwareUnsupported
	}
	return nil
}
