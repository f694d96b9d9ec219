package nonlocal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/occlumgo/occlum/internal/wattest"
	"github.com/occlumgo/occlum/sfi/nonlocal"
)

func TestParseInvoke(t *testing.T) {
	i32, i64, f32, f64 := api.ValueTypeI32, api.ValueTypeI64, api.ValueTypeF32, api.ValueTypeF64
	for _, c := range []struct {
		name            string
		ok              bool
		params, results []api.ValueType
	}{
		{"invoke_v", true, []api.ValueType{i32}, nil},
		{"invoke_vii", true, []api.ValueType{i32, i32, i32}, nil},
		{"invoke_iii", true, []api.ValueType{i32, i32, i32}, []api.ValueType{i32}},
		{"invoke_jjfd", true, []api.ValueType{i32, i64, f32, f64}, []api.ValueType{i64}},
		{"invoke_d", true, []api.ValueType{i32}, []api.ValueType{f64}},
		{"invoke_", false, nil, nil},
		{"invoke", false, nil, nil},
		{"invoke_iv", false, nil, nil}, // v only as the result
		{"invoke_x", false, nil, nil},
		{"invoke_i\x00", false, nil, nil},
		{"saveSetjmp", false, nil, nil},
		{"invoke_v" + strings.Repeat("i", 64), false, nil, nil}, // too many
	} {
		p, r, ok := nonlocal.ParseInvoke(c.name)
		if ok != c.ok || string(p) != string(c.params) || string(r) != string(c.results) {
			t.Errorf("ParseInvoke(%q) = %v %v %v, want %v %v %v", c.name, p, r, ok, c.params, c.results, c.ok)
		}
	}
}

// FuzzParseInvoke: import names are the guest's; any name gives an answer,
// and an accepted one has the shape its letters say.
func FuzzParseInvoke(f *testing.F) {
	for _, s := range []string{"invoke_v", "invoke_iiii", "invoke_vjfd", "invoke_", "invoke_vv", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, r, ok := nonlocal.ParseInvoke(name)
		if !ok {
			return
		}
		if len(p) != len(name)-len("invoke_") || p[0] != api.ValueTypeI32 || len(r) > 1 {
			t.Fatalf("ParseInvoke(%q) = %v %v", name, p, r)
		}
	})
}

// The guest: $f(x) is called through invoke_vi from run(x). $f moves the
// C stack pointer and records its progress in $g: 1 before anything, then
// with x = 1 unwinds, x = 2 traps, x = 3 exits through the host; else 2.
var guest = `(module
  (import "env" "invoke_vi" (func $invoke_vi (param i32 i32)))
  (import "env" "invoke_ii" (func $invoke_ii (param i32 i32) (result i32)))
  (import "t" "unwind" (func $unwind (result i32)))
  (import "t" "exit" (func $exit))
  (memory (export "memory") 1)
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 4096))
  (global $g (export "g") (mut i32) (i32.const 0))
  (table 300 funcref)
  (elem (i32.const 1) $f $twice $deep)
  (elem (i32.const 10) ` + strings.Repeat("$twice ", 200) + `)
  (func $f (param $x i32)
    (global.set $g (i32.const 1))
    (global.set $sp (i32.sub (global.get $sp) (i32.const 64)))
    (if (i32.eq (local.get $x) (i32.const 1)) (then (drop (call $unwind))))
    (if (i32.eq (local.get $x) (i32.const 2)) (then unreachable))
    (if (i32.eq (local.get $x) (i32.const 3)) (then (call $exit)))
    (global.set $sp (i32.add (global.get $sp) (i32.const 64)))
    (global.set $g (i32.const 2)))
  (func $twice (param $x i32) (result i32) (i32.mul (local.get $x) (i32.const 2)))
  (func $deep (param $n i32)
    (if (i32.gt_u (local.get $n) (i32.const 0))
      (then (call $invoke_vi (i32.const 3) (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "deep") (param $n i32) (call $invoke_vi (i32.const 3) (local.get $n)))
  (func (export "run") (param $x i32)
    (call $invoke_vi (i32.const 1) (local.get $x)))
  (func (export "call") (param $fp i32) (param $x i32) (result i32)
    (call $invoke_ii (local.get $fp) (local.get $x)))
  (func (export "bare_unwind") (result i32) (call $unwind)))`

type instance struct {
	mod api.Module
	ctx context.Context
}

func instantiate(t *testing.T) *instance {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	errExit := errors.New("guest exit")
	_, err := rt.NewHostModuleBuilder("t").
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
		nonlocal.Unwind(ctx)
		stack[0] = 1 // nothing to unwind to
	}), nil, []api.ValueType{api.ValueTypeI32}).Export("unwind").
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(context.Context, api.Module, []uint64) {
		panic(errExit)
	}), nil, nil).Export("exit").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.CompileModule(ctx, wattest.Compile(t, guest))
	if err != nil {
		t.Fatal(err)
	}
	defs, err := nonlocal.Imports(cm)
	if err != nil || len(defs) != 2 {
		t.Fatalf("Imports: %d, %v", len(defs), err)
	}
	env, err := nonlocal.Instantiate(ctx, rt, "env#1", defs)
	if err != nil {
		t.Fatal(err)
	}
	ictx := experimental.WithImportResolver(ctx, func(name string) api.Module {
		if name == nonlocal.ImportModule {
			return env
		}
		return nil
	})
	mod, err := rt.InstantiateModule(ictx, cm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	return &instance{mod: mod, ctx: nonlocal.WithState(ctx, false)}
}

func (in *instance) global(name string) uint32 {
	return uint32(in.mod.ExportedGlobal(name).Get())
}

func TestInvoke(t *testing.T) {
	in := instantiate(t)
	run := in.mod.ExportedFunction("run")

	// A normal return.
	if _, err := run.Call(in.ctx, 0); err != nil {
		t.Fatal(err)
	}
	if g, sp := in.global("g"), in.global("__stack_pointer"); g != 2 || sp != 4096 {
		t.Fatalf("after a return: g %d sp %d, want 2 4096", g, sp)
	}
	// An unwind ends at the invoke: $f stops where it unwound, and the C
	// stack pointer it moved is put back.
	for range 3 { // the cached function is reused
		if _, err := run.Call(in.ctx, 1); err != nil {
			t.Fatal(err)
		}
		if g, sp := in.global("g"), in.global("__stack_pointer"); g != 1 || sp != 4096 {
			t.Fatalf("after an unwind: g %d sp %d, want 1 4096", g, sp)
		}
	}
	// A trap and an exit go on up to the caller.
	if _, err := run.Call(in.ctx, 2); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("trap: %v", err)
	}
	if _, err := run.Call(in.ctx, 3); err == nil || !strings.Contains(err.Error(), "guest exit") {
		t.Fatalf("exit: %v", err)
	}
	// Results come back; a bad table index or type traps as
	// call_indirect does.
	call := in.mod.ExportedFunction("call")
	if r, err := call.Call(in.ctx, 2, 21); err != nil || uint32(r[0]) != 42 {
		t.Fatalf("call $twice: %v %v", r, err)
	}
	for _, c := range []struct {
		fp   uint64
		want string
	}{{0, "invalid table access"}, {4, "invalid table access"}, {1000, "invalid table access"}, {1, "indirect call type mismatch"}} {
		if _, err := call.Call(in.ctx, c.fp, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("invoke of table index %d: %v, want %q", c.fp, err, c.want)
		}
	}
	// With no invoke running, nothing unwinds.
	if r, err := in.mod.ExportedFunction("bare_unwind").Call(in.ctx); err != nil || r[0] != 1 {
		t.Fatalf("unwind without an invoke: %v %v", r, err)
	}
	// Without a State (not a LibOS process) invokes still work.
	if _, err := run.Call(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

// A guest recursing through invokes stops at MaxDepth with a stack
// overflow trap, instead of taking host memory (and Go stack) without end;
// below it, deep nesting works.
func TestInvokeDepth(t *testing.T) {
	in := instantiate(t)
	deep := in.mod.ExportedFunction("deep")
	if _, err := deep.Call(in.ctx, nonlocal.MaxDepth-1); err != nil {
		t.Fatalf("%d nested invokes: %v", nonlocal.MaxDepth, err)
	}
	_, err := deep.Call(in.ctx, 1<<30)
	if err == nil || !strings.Contains(err.Error(), "stack overflow") {
		t.Fatalf("unbounded nesting: %v, want a stack overflow", err)
	}
	// Each level passes the innermost error on: the report does not grow
	// with the depth (it did: 4096 nested copies of the stack trace).
	if n := len(err.Error()); n > 16<<10 {
		t.Errorf("the error is %d bytes", n)
	}
	// The process goes on.
	if _, err := deep.Call(in.ctx, 10); err != nil {
		t.Fatal(err)
	}
}

// Invokes of many table entries cache a bounded number of functions (each
// holds an execution stack).
func TestInvokeCacheBounded(t *testing.T) {
	in := instantiate(t)
	call := in.mod.ExportedFunction("call")
	for fp := uint64(10); fp < 210; fp++ {
		if r, err := call.Call(in.ctx, fp, 4); err != nil || r[0] != 8 {
			t.Fatalf("invoke of %d: %v %v", fp, r, err)
		}
	}
	if n := nonlocal.Cached(in.ctx); n == 0 || n > 64 {
		t.Fatalf("%d functions cached after 200 table entries, want 1..64", n)
	}
}

func TestImportsRefused(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for _, c := range []struct{ wat, want string }{
		{`(module (import "env" "saveSetjmp" (func)))`, "env.saveSetjmp, which the LibOS does not provide"},
		{`(module (import "env" "invoke_vi" (func (param i32))))`, "type that does not match its name"},
		{`(module (import "env" "invoke_ii" (func (param i32 i32))))`, "type that does not match its name"},
	} {
		cm, err := rt.CompileModule(ctx, wattest.Compile(t, c.wat))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nonlocal.Imports(cm); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.wat, err, c.want)
		}
	}
}
