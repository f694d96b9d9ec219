package preempt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/internal/wattest"
)

// harness instantiates instrumented modules with a preempt import that
// refills the budget (as the loader does) and counts its calls.
type harness struct {
	t         *testing.T
	ctx       context.Context
	rt        wazero.Runtime
	preempts  int
	onPreempt func(api.Module)
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, ctx: context.Background()}
	h.rt = wazero.NewRuntimeWithConfig(h.ctx, wazero.NewRuntimeConfigCompiler())
	t.Cleanup(func() { h.rt.Close(h.ctx) })
	_, err := h.rt.NewHostModuleBuilder(ImportModule).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, m api.Module, _ []uint64) {
			h.preempts++
			m.ExportedGlobal(BudgetGlobal).(api.MutableGlobal).Set(Budget)
			if h.onPreempt != nil {
				h.onPreempt(m)
			}
		}), nil, nil).Export(ImportFunc).Instantiate(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.rt.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) { s[0] *= 2 }),
			[]api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		Export("double").Instantiate(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// load instruments wat's module and instantiates it.
func (h *harness) load(wat string) api.Module {
	h.t.Helper()
	out, err := Instrument(wattest.Compile(h.t, wat))
	if err != nil {
		h.t.Fatalf("Instrument: %v", err)
	}
	mod, err := h.rt.InstantiateWithConfig(h.ctx, out, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		h.t.Fatalf("instrumented module does not instantiate: %v", err)
	}
	return mod
}

func (h *harness) call(mod api.Module, name string, args ...uint64) []uint64 {
	h.t.Helper()
	res, err := mod.ExportedFunction(name).Call(h.ctx, args...)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	return res
}

// Every place a function index appears keeps reaching the same function
// after the preempt import shifts the defined functions: call, exports,
// the table and call_indirect, ref.func, the start function.
func TestRenumbering(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (import "env" "double" (func $double (param i32) (result i32)))
	  (table 2 2 funcref)
	  (elem (i32.const 0) $seven)
	  (global $g (mut i32) (i32.const 0))
	  (global $f funcref (ref.func $eight))
	  (func $seven (result i32) i32.const 7)
	  (func $eight (result i32) i32.const 8)
	  (func $init (global.set $g (i32.const 100)))
	  (start $init)
	  (func (export "run") (param $n i32) (result i32) (local $acc i32)
	    (table.set 0 (i32.const 1) (global.get $f))
	    (loop $l
	      (local.set $acc (i32.add (local.get $acc) (call_indirect (result i32) (i32.const 0))))
	      (local.set $acc (i32.add (local.get $acc) (call_indirect (result i32) (i32.const 1))))
	      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
	    (i32.add (global.get $g) (call $double (local.get $acc)))))`)
	n := uint64(3 * Budget)
	if got, want := h.call(mod, "run", n)[0], 100+2*15*n; got != want {
		t.Fatalf("run(%d) = %d, want %d", n, got, want)
	}
	// 2 charged calls per iteration (address-taken callees), 6*Budget units.
	if h.preempts < 5 || h.preempts > 7 {
		t.Fatalf("%d preemption points for %d units, want 6", h.preempts, 6*Budget)
	}
}

// Every loop reaches a preemption point, also one that only calls a small
// leaf (not charged itself), and so does recursion without any loop (the
// finding: f(n) = f(n-1) + f(n-2) froze the LibOS).
func TestEveryLoopAndRecursionIsCharged(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
	  (func (export "spin") (param $n i32) (local $i i32)
	    (loop $l
	      (local.set $i (call $leaf (local.get $i)))
	      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
	  (func $fib (export "fib") (param $n i32) (result i32)
	    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
	      (then (local.get $n))
	      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
	                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`)
	h.call(mod, "spin", 10*Budget)
	if h.preempts < 9 {
		t.Fatalf("a loop calling a leaf: %d preemption points in %d iterations", h.preempts, 10*Budget)
	}
	h.preempts = 0
	if got := h.call(mod, "fib", 25)[0]; got != 75025 {
		t.Fatalf("fib(25) = %d", got)
	}
	if h.preempts < 3 { // 242785 calls
		t.Fatalf("recursion: %d preemption points in 242785 calls", h.preempts)
	}
}

// Zeroing the budget from outside stops a spinning guest at its next loop
// iteration or charged call: here the preempt hook ends the call.
func TestZeroedBudgetStopsSoon(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (global $iters (export "iters") (mut i32) (i32.const 0))
	  (func (export "spin")
	    (loop $l (global.set $iters (i32.add (global.get $iters) (i32.const 1))) (br $l))))`)
	stop := errors.New("stopped")
	h.onPreempt = func(m api.Module) {
		if m.ExportedGlobal("iters").Get() >= 1000 {
			panic(stop)
		}
	}
	g := mod.ExportedGlobal(BudgetGlobal).(api.MutableGlobal)
	g.Set(0) // as Interrupt does, before the guest runs
	_, err := mod.ExportedFunction("spin").Call(h.ctx)
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("spin: %v", err)
	}
	if it := mod.ExportedGlobal("iters").Get(); it > Budget+1 {
		t.Fatalf("stopped after %d iterations", it)
	}
}

// Bulk memory operations keep their semantics when they run in chunks:
// large and small fills and copies, overlapping copies in both directions,
// and a range that does not fit traps before anything is written.
func TestBulkMemory(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (memory (export "memory") 128)
	  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
	  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))`)
	mem := mod.Memory()
	size := mem.Size()
	ref := make([]byte, size)
	pattern := func() {
		buf, _ := mem.Read(0, size)
		for i := range buf {
			buf[i] = byte(i*7 + i>>11)
			ref[i] = buf[i]
		}
	}
	check := func(what string) {
		t.Helper()
		buf, _ := mem.Read(0, size)
		for i := range buf {
			if buf[i] != ref[i] {
				t.Fatalf("%s: byte %d = %d, want %d", what, i, buf[i], ref[i])
			}
		}
	}
	const big = 3*bulkChunk + 12345
	for _, c := range []struct {
		op      string
		a, b, n uint32
	}{
		{"fill", 100, 0xab, 10}, {"fill", 5, 0xcd, big},
		{"copy", 0, 1000, 100}, {"copy", 10, 0, big}, {"copy", 0, 10, big},
		{"copy", 1 << 20, 3, big}, {"copy", 7, 1<<20 + 1, big},
	} {
		pattern()
		if c.op == "fill" {
			for i := uint32(0); i < c.n; i++ {
				ref[c.a+i] = byte(c.b)
			}
		} else {
			copy(ref[c.a:c.a+c.n], ref[c.b:c.b+c.n])
		}
		h.call(mod, c.op, uint64(c.a), uint64(c.b), uint64(c.n))
		check(c.op)
	}
	if h.preempts == 0 {
		t.Fatalf("no preemption point in %d bulk bytes", 6*big)
	}
	// Out of bounds, also by wrapping around: a trap, and memory as it was.
	for _, c := range []struct {
		op      string
		a, b, n uint32
	}{
		{"fill", size - big + 1, 0, big}, {"fill", 0xffffffff, 0, 2},
		{"copy", size - big + 1, 0, big}, {"copy", 0, size - big + 1, big},
		{"copy", 0xfffff000, 0, 0x2000}, {"copy", 0, 0xfffff000, 0x2000},
	} {
		pattern()
		if _, err := mod.ExportedFunction(c.op).Call(h.ctx, uint64(c.a), uint64(c.b), uint64(c.n)); err == nil ||
			!strings.Contains(err.Error(), "out of bounds") {
			t.Fatalf("%s(%#x, %#x, %#x): %v, want out of bounds", c.op, c.a, c.b, c.n, err)
		}
		check(c.op + " out of bounds")
	}
}

// A loop's values survive the preemption call (the cold path saves and
// restores the live locals, of every type).
func TestLocalsSurvivePreemption(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (func (export "mix") (param $n i32) (result f64)
	    (local $a i64) (local $b f32) (local $c f64) (local $i i32)
	    (local.set $a (i64.const 1)) (local.set $b (f32.const 1)) (local.set $c (f64.const 0.5))
	    (loop $l
	      (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (local.get $i))))
	      (local.set $b (f32.add (local.get $b) (f32.const 0.25)))
	      (local.set $c (f64.add (local.get $c) (f64.promote_f32 (local.get $b))))
	      (local.set $i (i32.add (local.get $i) (i32.const 1)))
	      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
	    (f64.add (local.get $c) (f64.convert_i64_u (local.get $a)))))`)
	n := 5 * Budget
	a, b, c := uint64(1), float32(1), 0.5
	for i := 0; i < n; i++ {
		a += uint64(i)
		b += 0.25
		c += float64(b)
	}
	want := c + float64(a)
	if got := api.DecodeF64(h.call(mod, "mix", uint64(n))[0]); got != want {
		t.Fatalf("mix = %v, want %v", got, want)
	}
	if h.preempts < 4 {
		t.Fatalf("%d preemption points", h.preempts)
	}
}

// Findings of the adversarial review, each refused at its root: an index
// that was invalid in the guest's module must not become valid by naming
// what the rewrite added.
func TestRefusesIndicesIntoWhatTheRewriteAdds(t *testing.T) {
	for _, tc := range []struct {
		name, wat, want string
	}{
		// The guest refilled its own budget: global index 0 is the
		// budget when the module has no global of its own (60 bytes).
		{"budget global", `(module (memory 1) (func (export "_start")
		  (loop $l (global.set 0 (i32.const 1000)) (br $l))))`, "global index 0 out of range"},
		{"budget global read", `(module (global i32 (i32.const 1)) (func (export "f") (result i32) (global.get 1)))`, "global index 1 out of range"},
		{"added local", `(module (func (export "f") (param i32) (local i32) (local.set 2 (i32.const 0))))`, "local index 2 out of range"},
		{"added function", `(module (func (export "f") (call 1)))`, "function index 1 out of range"},
		{"added type", `(module (func (export "f") (call_indirect (type 1) (i32.const 0))) (table 1 1 funcref))`, "type index 1 out of range"},
		{"export of an added function", `(module (func) (export "g" (func 1)))`, "function 1 out of range"},
		{"element of an added function", `(module (table 2 2 funcref) (func) (elem (i32.const 0) 0 1))`, "function 1 out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := wattest.Compile(t, tc.wat, wattest.NoCheck)
			_, err := Instrument(bin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// A block typed by the first added type.
func TestRefusesBlockOfAddedType(t *testing.T) {
	bin := wattest.Compile(t, `(module (type (func (param i32)))
	  (func (export "f") (i32.const 0) (block (type 0) (param i32) drop)))`)
	// Types: 0 (param i32), 1 () for f; the rewrite adds 2.
	bin = bytes.Replace(bin, []byte{0x41, 0, 0x02, 0}, []byte{0x41, 0, 0x02, 2}, 1)
	if _, err := Instrument(bin); err == nil || !strings.Contains(err.Error(), "block type 2 out of range") {
		t.Fatalf("err %v", err)
	}
}

// The 63-byte module of the review: no type section, a function section
// naming types 0 and 48. The runtime rejected it as it was; after the
// rewrite added a type section its validator panicked. Now the rewriter
// refuses it itself.
func TestFunctionTypeOutOfRange(t *testing.T) {
	bin := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		3, 3, 2, 0, 48, // functions of types 0 and 48
		10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b} // two empty bodies
	_, err := Instrument(bin)
	if err == nil || !strings.Contains(err.Error(), "has type 0, out of range") {
		t.Fatalf("err %v", err)
	}
}

// The name section of a module the runtime accepts stays acceptable: the
// bytes a subsection holds after its last entry are kept (the review found
// them dropped, which shifted the next subsection).
func TestNameSectionKept(t *testing.T) {
	bin := wattest.Compile(t, `(module (func $f (export "f")) (func $g))`, "--debug-names")
	// Append a byte to the function-names subsection (id 1).
	i := strings.Index(string(bin), "\x04name")
	if i < 0 {
		t.Fatal("no name section")
	}
	sec := i - 1 // the section size byte (small module)
	for j := i + 5; j < len(bin); {
		id, size := bin[j], int(bin[j+1])
		if id == 1 {
			bin = append(bin[:j+2+size], append([]byte{0}, bin[j+2+size:]...)...)
			bin[j+1]++
			bin[sec]++
			break
		}
		j += 2 + size
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	orig, err := rt.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("the runtime rejects the original: %v", err)
	}
	out, err := Instrument(bin)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		t.Fatalf("instrumented module rejected: %v", err)
	}
	if cm.ExportedFunctions()["f"] == nil || orig.ExportedFunctions()["f"] == nil {
		t.Fatal("export f lost")
	}
	// A well-formed name section names the same functions after the
	// rewrite, although their indices moved.
	bin = wattest.Compile(t, `(module $m (import "env" "double" (func $double (param i32) (result i32)))
	  (func $f (export "f") (param $x i32) (local $y i32)) (func $g))`, "--debug-names")
	if orig, err = rt.CompileModule(ctx, bin); err != nil {
		t.Fatal(err)
	}
	if out, err = Instrument(bin); err != nil {
		t.Fatal(err)
	}
	if cm, err = rt.CompileModule(ctx, out); err != nil {
		t.Fatal(err)
	}
	if a, b := cm.ExportedFunctions()["f"].DebugName(), orig.ExportedFunctions()["f"].DebugName(); a != b || a != "m.f" {
		t.Fatalf("f is named %q after the rewrite, %q before", a, b)
	}
}

func TestRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, wat, want string
	}{
		{"reserved import", `(module (import "occlum_sfi" "preempt" (func)))`, "reserved for the loader"},
		{"reserved export", `(module (memory (export "__occlum_budget") 1))`, "reserved name"},
		{"huge table", `(module (table 2000000 funcref))`, "more than the 1048576"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Instrument(wattest.Compile(t, tc.wat, wattest.NoCheck))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	// memory.fill of memory 1: invalid without multiple memories, and the
	// rewrite must not turn it into a valid fill of memory 0.
	fill := wattest.Compile(t, `(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))`)
	fill = bytes.Replace(fill, []byte{0xfc, 11, 0}, []byte{0xfc, 11, 1}, 1)
	if _, err := Instrument(fill); err == nil || !strings.Contains(err.Error(), "memory index 1") {
		t.Fatalf("memory.fill of memory 1: %v", err)
	}
	// A module cut anywhere: refused, unless what is left is a module.
	bin := wattest.Compile(t, `(module (memory 1) (func (export "f") (loop (br 0))))`)
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for n := 0; n < len(bin); n++ {
		if _, err := Instrument(bin[:n]); err == nil {
			if _, err := rt.CompileModule(ctx, bin[:n]); err != nil {
				t.Fatalf("a module cut at %d of %d bytes was accepted: %v", n, len(bin), err)
			}
		}
	}
	bad := append([]byte(nil), bin...)
	binary.LittleEndian.PutUint32(bad[4:], 2)
	if _, err := Instrument(bad); err == nil {
		t.Fatal("version 2 accepted")
	}
}

// A table may declare no maximum (Go's toolchain does not), but table.grow
// cannot make it larger than maxTableSize entries: wazero would let it grow
// to four billion, and the LibOS run out of memory.
func TestTableGrowBounded(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (table $t 1 funcref)
	  (table $e 2 externref)
	  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
	  (func (export "growe") (param i32) (result i32) (table.grow $e (ref.null extern) (local.get 0)))
	  (func (export "size") (result i32) (table.size $t)))`)
	if got := int32(h.call(mod, "grow", 0xffffffff)[0]); got != -1 {
		t.Fatalf("grow by 2^32-1 = %d", got)
	}
	if got := int32(h.call(mod, "grow", maxTableSize)[0]); got != -1 {
		t.Fatalf("grow past the bound = %d", got)
	}
	if got := h.call(mod, "grow", maxTableSize-1)[0]; got != 1 {
		t.Fatalf("grow to the bound = %d", got)
	}
	if got := h.call(mod, "size")[0]; got != maxTableSize {
		t.Fatalf("size %d", got)
	}
	if got := int32(h.call(mod, "grow", 1)[0]); got != -1 {
		t.Fatalf("grow beyond the bound = %d", got)
	}
	if got := h.call(mod, "growe", 10)[0]; got != 2 {
		t.Fatalf("growe = %d", got)
	}
}

// A preemption call may run guest code (the LibOS delivers signal handlers
// there), and that code reaches preemption points of its own: the
// interrupted loop's saved values must survive it.
func TestReentrantPreemption(t *testing.T) {
	h := newHarness(t)
	mod := h.load(`(module
	  (global $sink (mut i64) (i64.const 0))
	  (func $handler (export "handler") (local $x i64) (local $y i64) (local $i i32)
	    (local.set $x (i64.const 88172645463325252))
	    (loop $l
	      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
	      (local.set $y (i64.add (local.get $y) (local.get $x)))
	      (local.set $i (i32.add (local.get $i) (i32.const 1)))
	      (br_if $l (i32.lt_u (local.get $i) (i32.const 300000))))
	    (global.set $sink (local.get $y)))
	  (func (export "chunk") (param $n i32) (result i64) (local $a i64) (local $b i64) (local $i i32)
	    (local.set $a (i64.const 1)) (local.set $b (i64.const 2))
	    (loop $l
	      (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
	      (local.set $b (i64.xor (local.get $b) (i64.shr_u (local.get $a) (i64.const 17))))
	      (local.set $i (i32.add (local.get $i) (i32.const 1)))
	      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
	    (i64.xor (local.get $a) (local.get $b))))`)
	const n = 10 * Budget
	want := h.call(mod, "chunk", n)[0]
	handler := mod.ExportedFunction("handler")
	depth := 0
	h.onPreempt = func(m api.Module) {
		if depth > 0 {
			return
		}
		depth++
		// As the loader's caller does (sfi.SaveScratch, which this
		// package cannot import): keep the scratch globals.
		var saved []uint64
		for k := 0; m.ExportedGlobal(ScratchPrefix+strconv.Itoa(k)) != nil; k++ {
			saved = append(saved, m.ExportedGlobal(ScratchPrefix+strconv.Itoa(k)).Get())
		}
		if len(saved) == 0 {
			t.Error("no scratch globals exported")
		}
		if _, err := handler.Call(h.ctx); err != nil {
			t.Error(err)
		}
		for k, v := range saved {
			m.ExportedGlobal(ScratchPrefix + strconv.Itoa(k)).(api.MutableGlobal).Set(v)
		}
		depth--
	}
	if got := h.call(mod, "chunk", n)[0]; got != want {
		t.Fatalf("chunk = %#x with a handler run at its preemption points, %#x without", got, want)
	}
}

// A charge is weighted by the code it covers: a loop with a long body
// reaches preemption points as often, in time, as a tight one (the review
// measured 4 s between two preemption points with a 1 MB loop body, when
// every iteration cost one unit).
func TestChargeWeightedBySize(t *testing.T) {
	h := newHarness(t)
	var body strings.Builder
	for i := 0; i < 2000; i++ { // about 20 KB of straight-line code
		body.WriteString("(local.set $x (i64.add (i64.mul (local.get $x) (i64.const 31)) (i64.const 7)))\n")
	}
	mod := h.load(`(module
	  (func (export "spin") (param $n i32) (result i64) (local $x i64)
	    (loop $l ` + body.String() + `
	      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
	    (local.get $x)))`)
	const iters = 2000
	h.call(mod, "spin", iters)
	// Each iteration covers ~20 KB: ~300 units, 600,000 in all.
	if h.preempts < 5 {
		t.Fatalf("%d preemption points in %d iterations of a 20 KB loop body", h.preempts, iters)
	}
}

// The rewrite is bounded in time, memory and output whatever the guest
// declares: locals (per function and in all), loops, passive data.
func TestRewriteBounded(t *testing.T) {
	uleb := func(b []byte, v uint32) []byte { return appendU32(b, v) }
	module := func(funcs int, body func() []byte) []byte {
		bin := []byte("\x00asm\x01\x00\x00\x00")
		bin = appendSection(bin, secType, []byte{1, 0x60, 0, 0})
		fs := uleb(nil, uint32(funcs))
		for i := 0; i < funcs; i++ {
			fs = append(fs, 0)
		}
		bin = appendSection(bin, secFunction, fs)
		code := uleb(nil, uint32(funcs))
		for i := 0; i < funcs; i++ {
			b := body()
			code = append(uleb(code, uint32(len(b))), b...)
		}
		return appendSection(bin, secCode, code)
	}
	// 40,000 locals and 3,000 loops writing them all: the liveness
	// analysis gives up, cold paths save at most maxSaved locals.
	manyLoops := func() []byte {
		b := uleb([]byte{1}, 40000)
		b = append(b, typeI32)
		for i := 0; i < 3000; i++ {
			b = append(b, 0x03, 0x40)
			for l := uint32(0); l < 20; l++ {
				b = uleb(append(uleb(append(b, 0x20), l), 0x21), l)
			}
			b = append(b, 0x0b)
		}
		return append(b, 0x0b)
	}
	start := time.Now()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	bin := module(1, manyLoops)
	out, err := Instrument(bin)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if d, alloc := time.Since(start), after.TotalAlloc-before.TotalAlloc; d > 2*time.Second || alloc > 256<<20 || len(out) > maxGrowth*len(bin)+growthSlack {
		t.Fatalf("%d bytes rewritten in %v, %d MiB allocated, %d bytes out", len(bin), d, alloc>>20, len(out))
	}
	// Locals: per function, and in all.
	many := func(n uint32) func() []byte {
		return func() []byte { return append(uleb([]byte{1}, n), typeI32, 0x0b) }
	}
	if _, err := Instrument(module(1, many(maxLocals+1))); err == nil || !strings.Contains(err.Error(), "locals") {
		t.Fatalf("a function of %d locals: %v", maxLocals+1, err)
	}
	if _, err := Instrument(module(100, many(maxLocals))); err == nil || !strings.Contains(err.Error(), "in all") {
		t.Fatalf("100 functions of %d locals: %v", maxLocals, err)
	}
	// A passive data segment larger than memory.init may copy at once.
	data := []byte("\x00asm\x01\x00\x00\x00")
	seg := uleb(uleb([]byte{1, 1}, maxPassiveData+1), 0)
	seg = append(seg[:len(seg)-1], make([]byte, maxPassiveData+1)...)
	data = appendSection(data, secData, seg)
	if _, err := Instrument(data); err == nil || !strings.Contains(err.Error(), "passive data segment") {
		t.Fatalf("a passive segment of %d bytes: %v", maxPassiveData+1, err)
	}
}

// table.grow's table index follows its sub-opcode, whose LEB128 encoding
// need not be minimal: the rewriter must decode it as the runtime does
// (it read the index from a fixed offset, and so grew table 0 where the
// module named table 1, or accepted table 5 of a one-table module).
func TestTableGrowNonMinimalEncoding(t *testing.T) {
	bin := wattest.Compile(t, `(module (table 1 funcref) (table $u 1 funcref)
	  (func (export "grow") (result i32) (table.grow $u (ref.null func) (i32.const 3)))
	  (func (export "size") (result i32) (table.size $u)))`)
	// fc 0f 01 (table.grow 1) -> fc 8f 00 01
	i := bytes.Index(bin, []byte{0xfc, 0x0f, 0x01})
	if i < 0 {
		t.Fatal("no table.grow 1")
	}
	bin = append(bin[:i+1], append([]byte{0x8f, 0x00, 0x01}, bin[i+3:]...)...)
	fixSizes(t, bin)
	out, err := Instrument(bin)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	mod, err := h.rt.InstantiateWithConfig(h.ctx, out, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatal(err)
	}
	h.call(mod, "grow")
	if got := h.call(mod, "size")[0]; got != 4 {
		t.Fatalf("table 1 has %d entries after growing by 3", got)
	}
}

// fixSizes recomputes the section sizes and the code section's body sizes
// of a module whose bytes were edited (one-byte LEB128 sizes assumed).
func fixSizes(t *testing.T, bin []byte) {
	t.Helper()
	// Only the code section changed; its body size and the function's
	// grew by one byte each. Find them by re-decoding from the start.
	r := &reader{b: bin, pos: 8}
	for !r.done() {
		id, _ := r.byte()
		szPos := r.pos
		size, _ := r.u32()
		if id == secCode {
			bin[szPos]++
			cr := &reader{b: bin, pos: r.pos}
			n, _ := cr.u32()
			for k := uint32(0); k < n; k++ {
				fp := cr.pos
				fs, _ := cr.u32()
				body := bin[cr.pos : cr.pos+int(fs)]
				if bytes.Contains(body, []byte{0xfc, 0x8f, 0x00}) {
					bin[fp]++
					return
				}
				cr.pos += int(fs)
			}
		}
		r.pos += int(size)
	}
	t.Fatal("no code section")
}
