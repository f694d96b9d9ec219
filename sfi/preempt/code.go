package preempt

import "fmt"

// maxLocals bounds the locals of one function, and maxModuleLocals those
// of all functions together: the runtime spends time and memory on every
// declared local (the review compiled 5,000 functions of 65,536 locals,
// 40 KB of module, for 16 s and 2.5 GB).
const (
	maxLocals       = 50000
	maxModuleLocals = 1 << 22
)

// addedLocals is how many i32 locals the rewrite may add to a function:
// temporaries for the operands of bulk operations.
const addedLocals = 3

// The preemption call sits on cold paths inside loops. wazero's register
// allocator (v1.12) keeps a loop's values in memory on every iteration if
// they are live across a call anywhere in the loop, even one that rarely
// runs, or if the path after that call merges into the loop body:
// measured, that cost a third of a CPU-bound program's speed. So no value
// is live across the call, and no call path merges into a loop body:
//
//   - the cold path saves the loop-carried locals live there (liveness.go)
//     into scratch globals before the call and reads them back after it
//     (the runtime reloads mutable globals after a call, so the locals get
//     new values);
//   - a loop check's cold path then branches to the loop head instead of
//     falling into the body.
//
// The guest cannot name the scratch globals (every global index it uses
// was checked against its own globals); only the cold paths write them.
// They are exported (ScratchPrefix), for the host: guest code the host runs
// inside a preemption call (a signal handler) reaches cold paths of its
// own, which reuse the scratch globals, so the host keeps their values
// across it (sfi.SaveScratch). Only numbers are saved; v128 and reference
// locals stay live across the call.

// fnInfo is what the analysis learns about one function body.
type fnInfo struct {
	groups   uint32 // local declaration groups
	declEnd  int    // end of the local declarations in the body
	declFrom int    // start of the groups, after their count
	locals   []byte // types of parameters and declared locals
	codeSize int

	hasCall   bool
	hasBulk   bool
	addrTaken bool        // in a table or named by ref.func
	loops     []loopCover // per loop, in order: the calls that may cover it
	loopSite  []int       // per loop: its site (see cfg)
	loopBytes []int       // per loop: its body's code bytes, nested loops left out
	loopCalls [][]uint32  // per loop: the direct calls in its body, nested loops left out
	calls     []uint32    // every direct call in the function
	bulkSite  []int       // per bulk operation: its site
	bulkArgs  map[int]int // per bulk site: how many operands it parks
	save      []bits      // per site: the guest locals to save there (nil: none)

	// Decided by planAdded.
	covered     []bool     // per loop: covered by a call, so not checked
	loopWeight  []int64    // per loop: the units an iteration costs
	entryWeight int64      // the units a call costs
	saves       []siteSave // per site: what its cold path saves
}

// Units are a measure of time: a charge is weighted by the code it covers,
// one unit per unitBytes bytes (about 1.5 ns of a tight loop per unit), so
// that a loop with a long body or a call to a large function reaches a
// preemption point as soon as a tight loop does. The code a charge covers:
// for a function's entry, the function's code and that of the free leaves
// it calls; for a loop iteration, the loop's body (nested loops charge
// themselves) and the free leaves it calls.
const (
	unitBytes = 64
	// maxSaved bounds the locals one cold path saves: the rest stay live
	// across the call, which costs speed, not correctness (bzip2's
	// decompressor lost 9% at 16).
	maxSaved = 64
)

// loopCover lists the calls made directly in a loop's body before any
// branch back to its head (see instructions).
type loopCover struct {
	callees  []uint32 // direct calls
	indirect bool     // a call_indirect
}

// siteSave is what one cold path saves: locals and their scratch globals.
type siteSave struct{ locals, scratch []uint32 }

// charged reports whether the function is charged at its entry: it loops,
// calls (bulk operations may call a helper), or is too large to be a free
// leaf, or its address is taken (a loop that calls through a function
// pointer on every iteration relies on its callee's charge, see
// instructions).
func (f *fnInfo) charged() bool {
	return len(f.loops) > 0 || f.hasCall || f.hasBulk || f.codeSize > smallLeaf || f.addrTaken
}

// tmpLocal is the first of the added locals.
func (f *fnInfo) tmpLocal() uint32 { return uint32(len(f.locals)) }

// code rewrites the code section and appends the bodies of the added
// functions.
func (w *rewriter) code(body []byte) ([]byte, error) {
	r := &reader{b: body}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	m := w.m
	bodies := make([][]byte, n)
	infos := make([]*fnInfo, n)
	// Pass 1: read every body, check every index, learn what each needs.
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		if bodies[i], err = r.bytes(uint64(size)); err != nil {
			return nil, fmt.Errorf("function %d: %w", m.importFuncs+i, err)
		}
		t := m.types[m.funcTypes[m.importFuncs+i]]
		if infos[i], err = w.analyze(bodies[i], t.params); err != nil {
			return nil, fmt.Errorf("function %d: %w", m.importFuncs+i, err)
		}
		if w.locals += len(infos[i].locals); w.locals > maxModuleLocals {
			return nil, fmt.Errorf("more than %d locals in all", maxModuleLocals)
		}
	}
	if !r.done() {
		return nil, fmt.Errorf("%d bytes after the function bodies", len(body)-r.pos)
	}
	w.planAdded(infos)
	// Pass 2: rewrite.
	out := appendU32(nil, n+uint32(len(w.added)))
	for i := uint32(0); i < n; i++ {
		nb, err := w.function(bodies[i], infos[i])
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", m.importFuncs+i, err)
		}
		out = appendU32(out, uint32(len(nb)))
		out = append(out, nb...)
	}
	for _, a := range w.added {
		out = appendU32(out, uint32(len(a.body)))
		out = append(out, a.body...)
	}
	return out, nil
}

// addedFunc is a function the rewrite appends.
type addedFunc struct {
	typ  uint32
	body []byte
}

// planAdded decides the appended functions (the bulk helpers, if used)
// and, for every cold path, which locals it saves in which scratch globals.
func (w *rewriter) planAdded(infos []*fnInfo) {
	next := w.m.funcs() + 1 // after the shift by the preempt import
	if w.needHelpers {
		w.fillHelper, w.copyHelper = next, next+1
		w.added = append(w.added, addedFunc{w.typeBulk, w.fillBody()}, addedFunc{w.typeBulk, w.copyBody()})
		next += 2
	}
	w.growHelper = map[uint32]uint32{}
	w.growTypes = map[byte]uint32{}
	for t := uint32(0); t < uint32(len(w.m.tables)); t++ {
		if !w.grown[t] {
			continue
		}
		rt := w.m.tables[t]
		typ, ok := w.growTypes[rt]
		if !ok {
			typ = w.typeBulk + 1 + uint32(len(w.addedTypes))
			w.addedTypes = append(w.addedTypes, []byte{0x60, 2, rt, typeI32, 1, typeI32})
			w.growTypes[rt] = typ
		}
		w.growHelper[t] = next
		w.added = append(w.added, addedFunc{typ, w.growBody(t)})
		next++
	}
	m := w.m
	for i, f := range infos {
		f.addrTaken = w.addrTaken[m.importFuncs+uint32(i)]
	}
	// leafBytes is what a call costs its caller: the code of a free leaf.
	leafBytes := func(callee uint32) int {
		if callee < m.importFuncs {
			return 0
		}
		if c := infos[callee-m.importFuncs]; !c.charged() {
			return c.codeSize
		}
		return 0
	}
	weight := func(bytes int, calls []uint32) int64 {
		for _, c := range calls {
			bytes += leafBytes(c)
		}
		return 1 + int64(bytes)/unitBytes
	}
	// A loop is covered if every iteration makes a call that is itself a
	// preemption point (a host call) or charged — a call_indirect reaches
	// only functions whose address is taken (charged) or host functions —
	// and its own body is short.
	for _, f := range infos {
		f.covered = make([]bool, len(f.loops))
		f.loopWeight = make([]int64, len(f.loops))
		for k, lc := range f.loops {
			cov := lc.indirect
			for _, c := range lc.callees {
				cov = cov || c < m.importFuncs || infos[c-m.importFuncs].charged()
			}
			f.loopWeight[k] = weight(f.loopBytes[k], f.loopCalls[k])
			f.covered[k] = cov
		}
		f.entryWeight = weight(f.codeSize, f.calls)
	}
	byType := map[byte][]uint32{} // scratch globals of each type
	for _, f := range infos {
		if !f.charged() {
			continue
		}
		f.saves = make([]siteSave, len(f.loopSite)+len(f.bulkSite)+1)
		for site := range f.saves {
			var ls []uint32
			// A bulk operation: its parked operands are live across its
			// charge.
			for k := 0; k < f.bulkArgs[site]; k++ {
				ls = append(ls, f.tmpLocal()+uint32(k))
			}
			if f.save != nil {
				for _, l := range f.save[site].members() {
					if len(ls) == maxSaved {
						break
					}
					// v128 and reference locals are not saved
					// (SaveScratch keeps numbers only).
					if t := f.locals[l]; t != typeV128 && t != typeFuncref && t != typeExternref {
						ls = append(ls, l)
					}
				}
			}
			s := siteSave{locals: ls}
			used := map[byte]int{}
			for _, l := range ls {
				t := byte(typeI32)
				if int(l) < len(f.locals) {
					t = f.locals[l]
				}
				k := used[t]
				used[t]++
				if k == len(byType[t]) {
					byType[t] = append(byType[t], w.budget+1+uint32(len(w.scratch)))
					w.scratch = append(w.scratch, t)
				}
				s.scratch = append(s.scratch, byType[t][k])
			}
			f.saves[site] = s
		}
	}
}

// analyze reads a body's local declarations and instructions.
func (w *rewriter) analyze(fb []byte, params []byte) (*fnInfo, error) {
	r := &reader{b: fb}
	groups, err := r.u32()
	if err != nil {
		return nil, err
	}
	f := &fnInfo{groups: groups, declFrom: r.pos, locals: append([]byte(nil), params...)}
	for g := uint32(0); g < groups; g++ {
		c, err := r.u32()
		if err != nil {
			return nil, err
		}
		t, err := r.valType()
		if err != nil {
			return nil, err
		}
		if uint64(len(f.locals))+uint64(c) > maxLocals {
			return nil, fmt.Errorf("more than %d locals", maxLocals)
		}
		for k := uint32(0); k < c; k++ {
			f.locals = append(f.locals, t)
		}
	}
	f.declEnd = r.pos
	f.codeSize = len(fb) - r.pos
	fr := &funcRewriter{w: w, r: r, info: f, cfg: newCFG(len(f.locals))}
	if err := fr.instructions(); err != nil {
		return nil, err
	}
	if !r.done() {
		return nil, fmt.Errorf("code after the final end")
	}
	f.save = fr.cfg.solve()
	return f, nil
}

// function rewrites one function body (after analyze and planAdded).
func (w *rewriter) function(fb []byte, f *fnInfo) ([]byte, error) {
	fr := &funcRewriter{w: w, r: &reader{b: fb, pos: f.declEnd}, info: f}
	out := make([]byte, 0, len(fb)+len(fb)/4+64)
	if f.hasBulk {
		out = appendU32(out, f.groups+1)
		out = append(out, fb[f.declFrom:f.declEnd]...)
		out = append(out, addedLocals, typeI32)
	} else {
		out = append(out, fb[:f.declEnd]...)
	}
	fr.out = out
	if f.charged() {
		fr.charge(f.entryWeight, 0, nil)
	}
	if err := fr.instructions(); err != nil {
		return nil, err
	}
	return fr.out, nil
}

// funcRewriter walks one instruction sequence: a function body, or a
// constant expression (info nil: no locals, no instrumentation). With cfg
// set it is the analysis pass: it checks and learns, and its output is
// discarded.
type funcRewriter struct {
	w    *rewriter
	r    *reader
	out  []byte
	info *fnInfo
	cfg  *cfg

	loops, bulks int // ordinals of the next loop and bulk operation
}

// charge appends: budget -= units; if budget <= 0 { cold path of site }.
func (f *funcRewriter) charge(units int64, site int, tail func(asm) asm) {
	f.out = appendU32(append(f.out, 0x23), f.w.budget) // global.get
	f.out = appendS64(append(f.out, 0x41), units)      // i32.const
	f.chargeStack(site, tail)
}

// chargeStack appends the charge of the i32 on top of the stack (with
// global.get budget below it): subtract, store, test, and the cold path:
// save the site's live locals, call preempt, restore them, then tail (if
// any).
func (f *funcRewriter) chargeStack(site int, tail func(asm) asm) {
	w := f.w
	c := w.chargeTest(f.out)
	if f.cfg == nil {
		s := f.info.saves[site]
		for k, l := range s.locals {
			c = appendU32(append(c.get(l), 0x24), s.scratch[k]) // global.set
		}
		c = appendU32(append(c, 0x10), w.preempt)
		for k, l := range s.locals {
			c = asm(appendU32(append(c, 0x23), s.scratch[k])).set(l) // global.get
		}
	}
	if tail != nil {
		c = tail(c)
	}
	f.out = c.op(0x0b) // end
}

// chargeTest appends, with the budget and the units to charge on the
// stack: budget -= units; if budget <= 0 (the if is left open).
func (w *rewriter) chargeTest(c asm) asm {
	c = append(c, 0x6b)                       // i32.sub
	c = appendU32(append(c, 0x24), w.budget)  // global.set
	c = appendU32(append(c, 0x23), w.budget)  // global.get
	return c.op(0x41, 0x00, 0x4c, 0x04, 0x40) // i32.const 0; i32.le_s; if
}

// loopCheck appends, at a loop head, a charge of one unit whose cold path
// ends by branching back to the loop head, not by falling into the body
// (see the top of this file). A loop with parameters cannot be re-entered
// from inside the check (its parameters are not reachable there), so its
// cold path falls through.
//
// The count lives in the budget global, not in a local: a load, a
// subtraction and a store per iteration, but no register held across the
// loop. Measured with wazero v1.12 on a quicksort's tight inner loops, a
// local counter cost 23% and the global 14% (5.6% against 11.7% on the
// whole of bench/src/compute.c): the local took a register the loop
// needed.
func (f *funcRewriter) loopCheck(site int, units int64, params bool) {
	f.charge(units, site, func(c asm) asm {
		if params {
			return c
		}
		return c.op(0x0c, 1) // br to the loop, from inside the if
	})
}

// bulk rewrites a bulk operation whose last operand is a length n (bytes
// or entries): the last operands are parked in the temporaries,
// n>>bulkShift units are charged, and the operation runs. op is the
// operation's encoding; helper, if not zero, is a function that runs it in
// chunks, called instead when n > bulkChunk.
func (f *funcRewriter) bulk(site int, op []byte, operands int, helper uint32) {
	if f.cfg != nil {
		if f.info.bulkArgs == nil {
			f.info.bulkArgs = map[int]int{}
		}
		f.info.bulkArgs[site] = operands
	}
	tmp := f.info.tmpLocal()
	c := asm(f.out)
	for k := operands - 1; k >= 0; k-- {
		c = c.set(tmp + uint32(k))
	}
	n := tmp + uint32(operands-1)
	c = appendU32(append(c, 0x23), f.w.budget) // global.get
	f.out = c.get(n).i32(bulkShift).op(0x76)   // i32.shr_u
	f.chargeStack(site, nil)
	args := func(c asm) asm {
		for k := 0; k < operands; k++ {
			c = c.get(tmp + uint32(k))
		}
		return c
	}
	c = asm(f.out)
	if operands == 1 {
		f.out = args(c).op(op...)
		return
	}
	c = c.get(n).i32(bulkChunk).op(0x4b, 0x04, 0x40) // i32.gt_u; if
	c = appendU32(append(args(c), 0x10), helper)
	c = args(c.op(0x05)).op(op...) // else
	f.out = c.op(0x0b)
}

// instructions copies instructions up to and including the end that closes
// the sequence, checking every index and rewriting as described in the
// package comment.
//
// In the analysis pass it records, for each loop, the calls that sit
// directly in its body before any branch back to its head: every iteration
// makes them. If one of them is a preemption point or charged (planAdded),
// the loop needs no check of its own.
func (f *funcRewriter) instructions() error {
	r := f.r
	m := f.w.m
	g := f.cfg
	nLocals := uint32(0)
	if f.info != nil {
		nLocals = uint32(len(f.info.locals))
	}
	// Each open block: the loop it is (its ordinal), or -1.
	type frame struct {
		loop     int
		branched bool
		start    int // loop: where its body starts
		nested   int // loop: bytes of the loops nested in it
	}
	ctrl := []frame{{loop: -1}}
	// innermost returns the innermost open loop's frame, or nil.
	innermost := func() *frame {
		for i := len(ctrl) - 1; i >= 0; i-- {
			if ctrl[i].loop >= 0 {
				return &ctrl[i]
			}
		}
		return nil
	}
	branchTo := func(label uint32) {
		if int(label) < len(ctrl) {
			ctrl[len(ctrl)-1-int(label)].branched = true
		}
	}
	// called records a call (callee, or -1 for call_indirect) made
	// directly in a loop's body before any branch back to its head.
	called := func(callee int64) {
		if g != nil && callee >= 0 {
			f.info.calls = append(f.info.calls, uint32(callee))
			if l := innermost(); l != nil {
				f.info.loopCalls[l.loop] = append(f.info.loopCalls[l.loop], uint32(callee))
			}
		}
		if top := ctrl[len(ctrl)-1]; top.loop >= 0 && !top.branched && g != nil {
			lc := &f.info.loops[top.loop]
			if callee < 0 {
				lc.indirect = true
			} else {
				lc.callees = append(lc.callees, uint32(callee))
			}
		}
	}
	for {
		start := r.pos
		op, err := r.byte()
		if err != nil {
			return err
		}
		if op == 0x26 { // table.set
			f.w.writesTables = true
		}
		switch op {
		case 0x10, 0x12, 0xd2: // call, return_call, ref.func
			idx, err := r.u32()
			if err != nil {
				return err
			}
			if idx >= m.funcs() {
				return fmt.Errorf("function index %d out of range (at byte %d)", idx, start)
			}
			switch {
			case op == 0xd2:
				f.w.addrTaken[idx] = true
			case f.info != nil:
				f.info.hasCall = f.info.hasCall || idx >= m.importFuncs
				if op == 0x10 {
					called(int64(idx))
				} else if g != nil {
					g.exit()
				}
			}
			f.out = appendU32(append(f.out, op), f.w.fn(idx))
			continue
		case 0x11, 0x13: // call_indirect, return_call_indirect
			t, err := r.u32()
			if err != nil {
				return err
			}
			if t >= uint32(len(m.types)) {
				return fmt.Errorf("type index %d out of range (at byte %d)", t, start)
			}
			if _, err := r.u32(); err != nil {
				return err
			}
			if f.info != nil {
				f.info.hasCall = true
				if op == 0x11 {
					called(-1)
				} else if g != nil {
					g.exit()
				}
			}
		case 0x0c, 0x0d: // br, br_if
			l, err := r.u32()
			if err != nil {
				return err
			}
			branchTo(l)
			if g != nil && op == 0x0c {
				g.br(l)
			} else if g != nil {
				g.brIf(l)
			}
		case 0x0e: // br_table
			var labels []uint32
			err := readVector(r, func(uint32) error {
				l, err := r.u32()
				labels = append(labels, l)
				return err
			})
			if err != nil {
				return err
			}
			l, err := r.u32()
			if err != nil {
				return err
			}
			for _, l := range append(labels, l) {
				branchTo(l)
			}
			if g != nil {
				g.brTable(append(labels, l))
			}
		case 0x00, 0x0f: // unreachable, return
			if g != nil {
				g.exit()
			}
		case 0x05: // else
			if g != nil {
				g.elseOp()
			}
		case 0x02, 0x03, 0x04: // block, loop, if: block type
			bt, err := r.sleb(33)
			if err != nil {
				return err
			}
			if bt >= 0 && bt >= int64(len(m.types)) {
				return fmt.Errorf("block type %d out of range (at byte %d)", bt, start)
			}
			if bt < 0 && bt != -64 && !validValType(byte(bt&0x7f)) {
				return fmt.Errorf("bad block type (at byte %d)", start)
			}
			f.out = append(f.out, r.b[start:r.pos]...)
			fr := frame{loop: -1, start: r.pos}
			switch {
			case f.info == nil:
			case op == 0x02 && g != nil:
				g.block()
			case op == 0x04 && g != nil:
				g.ifOp()
			case op == 0x03:
				fr.loop = f.loops
				f.loops++
				if g != nil {
					f.info.loops = append(f.info.loops, loopCover{})
					f.info.loopBytes = append(f.info.loopBytes, 0)
					f.info.loopCalls = append(f.info.loopCalls, nil)
					f.info.loopSite = append(f.info.loopSite, g.loop())
				} else if !f.info.covered[fr.loop] {
					f.loopCheck(f.info.loopSite[fr.loop], f.info.loopWeight[fr.loop], bt >= 0 && len(m.types[bt].params) > 0)
				} else if w := f.info.loopWeight[fr.loop]; w > 1 {
					// Covered: the call every iteration makes tests the
					// budget; the body's own code is charged here,
					// without a test (so no call site in the loop).
					f.out = appendU32(append(f.out, 0x23), f.w.budget)
					f.out = appendS64(append(f.out, 0x41), w)
					f.out = appendU32(append(f.out, 0x6b, 0x24), f.w.budget)
				}
			}
			ctrl = append(ctrl, fr)
			continue
		case 0x0b: // end
			f.out = append(f.out, op)
			if g != nil {
				g.end()
			}
			if top := ctrl[len(ctrl)-1]; top.loop >= 0 && g != nil {
				size := r.pos - top.start
				f.info.loopBytes[top.loop] = size - top.nested
				ctrl = ctrl[:len(ctrl)-1]
				if l := innermost(); l != nil {
					l.nested += size
				}
				continue
			}
			ctrl = ctrl[:len(ctrl)-1]
			if len(ctrl) == 0 {
				return nil
			}
			continue
		case 0x20, 0x21, 0x22: // local.get, local.set, local.tee
			idx, err := r.u32()
			if err != nil {
				return err
			}
			if idx >= nLocals {
				return fmt.Errorf("local index %d out of range (at byte %d)", idx, start)
			}
			if g != nil && op == 0x20 {
				g.get(idx)
			} else if g != nil {
				g.set(idx)
			}
		case 0x23, 0x24: // global.get, global.set
			idx, err := r.u32()
			if err != nil {
				return err
			}
			if idx >= m.globals {
				return fmt.Errorf("global index %d out of range (at byte %d)", idx, start)
			}
		case 0xfc:
			done, err := f.miscOp(start)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		default:
			if err := r.skipImmediates(op); err != nil {
				return fmt.Errorf("at byte %d: %w", start, err)
			}
		}
		f.out = append(f.out, r.b[start:r.pos]...)
	}
}

// miscOp reads a 0xfc instruction; it reports whether it emitted it
// (rewritten) or left it for the caller to copy.
func (f *funcRewriter) miscOp(start int) (bool, error) {
	r := f.r
	sub, err := r.u32()
	if err != nil {
		return false, err
	}
	var table uint32       // table.grow's table
	zero := func() error { // a memory index, which must be 0
		b, err := r.byte()
		if err == nil && b != 0 {
			err = fmt.Errorf("memory index %d (at byte %d)", b, start)
		}
		return err
	}
	switch {
	case sub <= 7: // saturating truncations
		return false, nil
	case sub == 8: // memory.init data mem
		if _, err := r.u32(); err != nil {
			return false, err
		}
		if err := zero(); err != nil {
			return false, err
		}
	case sub == 9, sub == 13: // data.drop, elem.drop
		_, err := r.u32()
		return false, err
	case sub == 10: // memory.copy
		if err := zero(); err != nil {
			return false, err
		}
		if err := zero(); err != nil {
			return false, err
		}
	case sub == 11: // memory.fill
		if err := zero(); err != nil {
			return false, err
		}
	case sub == 12, sub == 14: // table.init elem table, table.copy table table
		if _, err := r.u32(); err != nil {
			return false, err
		}
		if _, err := r.u32(); err != nil {
			return false, err
		}
	case sub == 15, sub == 16, sub == 17: // table.grow, table.size, table.fill
		t, err := r.u32()
		if err != nil {
			return false, err
		}
		if sub == 16 {
			return false, nil
		}
		table = t
	default:
		return false, fmt.Errorf("unsupported instruction 0xfc %d (at byte %d)", sub, start)
	}
	if f.info == nil {
		return false, fmt.Errorf("instruction 0xfc %d in a constant expression", sub)
	}
	if sub != 16 { // all but table.size write a table or memory
		f.w.writesTables = f.w.writesTables || sub == 12 || sub == 14 || sub == 15 || sub == 17
	}
	op := r.b[start:r.pos]
	var site int
	if f.cfg != nil {
		f.info.hasBulk = true
		site = f.cfg.site()
		f.info.bulkSite = append(f.info.bulkSite, site)
	} else {
		site = f.info.bulkSite[f.bulks]
	}
	f.bulks++
	switch sub {
	case 10, 11:
		f.w.needHelpers = true
		helper := f.w.fillHelper
		if sub == 10 {
			helper = f.w.copyHelper
		}
		f.bulk(site, op, 3, helper)
	case 15:
		// table.grow: bounded by maxTableSize through a helper (a table
		// may declare no maximum).
		t := table
		if int(t) >= len(f.w.m.tables) {
			return false, fmt.Errorf("table.grow of table %d, out of range (at byte %d)", t, start)
		}
		if f.cfg != nil {
			f.w.grown[t] = true
		}
		f.bulk(site, appendU32([]byte{0x10}, f.w.growHelper[t]), 1, 0)
	default:
		// The length is the last operand; the others stay on the stack.
		f.bulk(site, op, 1, 0)
	}
	return true, nil
}
