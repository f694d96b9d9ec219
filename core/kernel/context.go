package kernel

import "context"

type processKey struct{}

// WithProcess returns ctx carrying p; the LibOS runs each process's guest
// code under such a context so syscalls know their caller.
func WithProcess(ctx context.Context, p *Process) context.Context {
	return context.WithValue(ctx, processKey{}, p)
}

// ProcessFrom returns the process ctx carries, or nil.
func ProcessFrom(ctx context.Context) *Process {
	p, _ := ctx.Value(processKey{}).(*Process)
	return p
}
