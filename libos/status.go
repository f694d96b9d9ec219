package libos

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode"

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
	first := trapSummary(msg)
	switch {
	case strings.Contains(msg, "out of bounds memory access"), strings.Contains(msg, "stack overflow"):
		return kernel.Signaled(kernel.SIGSEGV), first
	case strings.Contains(msg, "wasm error: unreachable"):
		return kernel.Signaled(kernel.SIGABRT), first + " (abort() or a trap instruction)"
	case strings.Contains(msg, "integer divide by zero"), strings.Contains(msg, "integer overflow"),
		strings.Contains(msg, "invalid conversion to integer"):
		return kernel.Signaled(kernel.SIGFPE), first
	case strings.Contains(msg, "indirect call type mismatch"), strings.Contains(msg, "invalid table access"):
		return kernel.Signaled(kernel.SIGILL), first
	}
	return kernel.Signaled(kernel.SIGKILL), first
}

// maxFrames is how many frames of a trap's stack trace its report names.
const maxFrames = 6

// trapSummary turns wazero's trap error (the message, then "wasm stack
// trace:" and a line per frame, innermost first, with the source position
// on the next line where the program has DWARF) into one line: the
// message and where it happened, "out of bounds memory access at deep
// <- deep <- main" (function names from the name section; "(file.c:12)"
// after a name when known). The C runtime's frames below main are left
// out.
func trapSummary(msg string) string {
	lines := strings.Split(msg, "\n")
	head := strings.TrimSuffix(strings.TrimPrefix(lines[0], "wasm error: "), " (recovered by wazero)")
	var frames []string
	more := false
	inTrace := false
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, "wasm stack trace:"):
			inTrace = true
		case !inTrace:
		case strings.HasPrefix(l, "\t\t"):
			// The source position of the frame above it.
			if n := len(frames); n > 0 && !strings.HasSuffix(frames[n-1], ")") {
				pos := strings.TrimSpace(l)
				if i := strings.LastIndex(pos, ": "); i >= 0 {
					pos = pos[i+2:]
				}
				frames[n-1] += " (" + printable(filepath.Base(pos)) + ")"
			}
		case strings.HasPrefix(l, "\t"):
			name := strings.TrimSpace(l)
			if i := strings.IndexByte(name, '('); i >= 0 {
				name = name[:i]
			}
			if i := strings.IndexByte(name, '.'); i >= 0 {
				name = name[i+1:] // the module's name
			}
			if name == "__main_void" || name == "__original_main" || name == "_start" || strings.HasPrefix(name, "_start.") {
				inTrace = false // the C runtime's frames
				continue
			}
			if len(frames) == maxFrames {
				more = true
				continue
			}
			frames = append(frames, printable(name))
		}
	}
	if len(frames) == 0 {
		return head
	}
	s := head + " at " + strings.Join(frames, " <- ")
	if more {
		s += " <- …"
	}
	return s
}

// maxName bounds a name in a trap report.
const maxName = 80

// printable makes a name from the guest's module (its name section, its
// DWARF) safe to print on the user's terminal: control characters and
// other non-printing runes become '?' (no escape sequence reaches the
// host's terminal), and it is cut at maxName runes.
func printable(name string) string {
	if name == "" {
		return "?"
	}
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == maxName {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
