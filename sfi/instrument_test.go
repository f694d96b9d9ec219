package sfi

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/internal/wasmbuild"
)

// A module whose defined functions are referenced from everywhere a
// function index can appear: call, exports, the table (element segment)
// and call_indirect. After instrumentation every reference must still
// reach the same function, and loops must count down the budget.
func TestInstrumentRenumbersAndCounts(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	preempts := 0
	if _, err := rt.NewHostModuleBuilder(PreemptModule).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(context.Context, api.Module, []uint64) { preempts++ }), nil, nil).
		Export(PreemptFunc).Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) { s[0] = s[0] * 2 }),
			[]api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("double").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	// (module
	//  (import "env" "double" (func $double (param i32) (result i32)))   ;; 0
	//  (table 1 funcref) (elem (i32.const 0) $seven)
	//  (func $seven (result i32) i32.const 7)                              ;; 1
	//  (func (export "run") (param $n i32) (result i32) (local $acc i32)   ;; 2
	//    (loop $l
	//      (local.set $acc (i32.add (local.get $acc) (call_indirect (result i32) (i32.const 0))))
	//      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
	//    (call $double (local.get $acc))))
	bin := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 15, 3, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f, // types: 0 i32->i32, 1 ->i32, 2 i32->i32
		2, 14, 1, 3, 'e', 'n', 'v', 6, 'd', 'o', 'u', 'b', 'l', 'e', 0, 0,
		3, 3, 2, 1, 2,
		4, 4, 1, 0x70, 0, 1,
		7, 7, 1, 3, 'r', 'u', 'n', 0, 2,
		9, 7, 1, 0, 0x41, 0, 0x0b, 1, 1,
	}
	run := []byte{1, 1, 0x7f, // one local i32
		0x03, 0x40,
		0x20, 1, 0x41, 0, 0x11, 1, 0, 0x6a, 0x21, 1,
		0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0,
		0x0b,
		0x20, 1, 0x10, 0,
		0x0b}
	seven := []byte{0, 0x41, 7, 0x0b}
	code := []byte{2, byte(len(seven))}
	code = append(code, seven...)
	code = append(code, byte(len(run)))
	code = append(code, run...)
	bin = append(bin, 10, byte(len(code)))
	bin = append(bin, code...)

	out, err := instrument(bin)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatalf("instrumented module does not validate: %v", err)
	}
	n := uint64(3*Budget + 5)
	res, err := mod.ExportedFunction("run").Call(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != 2*7*n {
		t.Fatalf("run(%d) = %d, want %d", n, res[0], 2*7*n)
	}
	if preempts != 3 {
		t.Fatalf("%d preemption points for %d iterations, want 3", preempts, n)
	}
}

func TestInstrumentRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		bin  []byte
		want string
	}{
		{"reserved import", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{{Module: PreemptModule, Name: PreemptFunc}}}.Encode(), "reserved for the loader"},
		{"reserved export", wasmbuild.Module{MemoryPages: 1, MemoryName: BudgetGlobal}.Encode(), "reserved name"},
		{"truncated", wasmbuild.Module{MemoryPages: 1}.Encode()[:30], "truncated"},
		{"unknown opcode", bytes.Replace(wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Unreachable}.Encode(), []byte{0x00, 0x00, 0x0b}, []byte{0x00, 0x06, 0x0b}, 1), "unsupported instruction 0x06"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := instrument(tc.bin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
