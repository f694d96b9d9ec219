package abi

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
)

// wazero leaves the upper half of an i32 parameter's stack slot undefined;
// both wrappers clear it, so implementations can compare arguments as they
// are (a NULL sigaction pointer once arrived as 0x260c00000000 and was taken
// for a pointer).
func TestI32ParamsClearedOfHighBits(t *testing.T) {
	var got []uint64
	f := &Func{Name: "f", Params: []Param{I32("a"), I64("b"), I32("c")}, Results: Errno,
		Impl: func(_ context.Context, _ *kernel.Process, _ api.Module, s []uint64) errno.Errno {
			got = append([]uint64(nil), s[:3]...)
			return 0
		}}
	for name, fn := range map[string]api.GoModuleFunc{"direct": direct(f), "traced": traced(f, nopLogger())} {
		stack := []uint64{0x260c00000000, 0x260c00000001, 0xffffffff00000007}
		fn(context.Background(), nil, stack)
		if got[0] != 0 || got[1] != 0x260c00000001 || got[2] != 7 {
			t.Fatalf("%s: implementation saw %#x, want [0 0x260c00000001 7]", name, got)
		}
	}
}

func nopLogger() *zap.Logger { return zap.NewNop() }
