package libos

import (
	"errors"
	"strings"

	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/core/kernel"
)

// statusOf turns the result of running a guest's _start into a wait status.
// A trap is reported as the signal Linux would deliver for the same fault:
// an out-of-bounds access or a stack overflow as SIGSEGV, "unreachable"
// (what wasi-libc's abort() executes) as SIGABRT, division by zero and
// invalid conversions as SIGFPE, a bad indirect call as SIGILL.
func statusOf(p *kernel.Process, err error) (kernel.WaitStatus, string) {
	if sig := p.TermSignal(); sig != 0 {
		return kernel.Signaled(sig), ""
	}
	if err == nil {
		return kernel.Exited(0), ""
	}
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		return kernel.Exited(uint8(ee.ExitCode())), ""
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "out of bounds memory access"), strings.Contains(msg, "stack overflow"):
		return kernel.Signaled(kernel.SIGSEGV), firstLine(msg)
	case strings.Contains(msg, "wasm error: unreachable"):
		return kernel.Signaled(kernel.SIGABRT), firstLine(msg) + " (abort() or a trap instruction)"
	case strings.Contains(msg, "integer divide by zero"), strings.Contains(msg, "integer overflow"),
		strings.Contains(msg, "invalid conversion to integer"):
		return kernel.Signaled(kernel.SIGFPE), firstLine(msg)
	case strings.Contains(msg, "indirect call type mismatch"), strings.Contains(msg, "invalid table access"):
		return kernel.Signaled(kernel.SIGILL), firstLine(msg)
	}
	return kernel.Signaled(kernel.SIGKILL), firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
