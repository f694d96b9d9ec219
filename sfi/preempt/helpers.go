package preempt

// The bulk helpers, appended to a module that uses memory.fill or
// memory.copy: fill(d, v, n) and copy(d, s, n) run a large operation in
// chunks of bulkChunk bytes with a charge between chunks. Both first check
// the whole range against the memory's size and, if it does not fit, run
// the operation whole, so it traps before writing anything, as the
// original instruction does (and no chunk address can wrap around).

// Instruction bytes used by the helpers.
const (
	opBlock, opLoop, opIf, opElse, opEnd = 0x02, 0x03, 0x04, 0x05, 0x0b
	opBr, opBrIf, opReturn               = 0x0c, 0x0d, 0x0f
	opLocalGet, opLocalSet               = 0x20, 0x21
	opMemorySize                         = 0x3f
	opI32Const, opI64Const               = 0x41, 0x42
	opI32LeU, opI32GtU                   = 0x4d, 0x4b
	opI64GtU                             = 0x56
	opI32Add, opI32Sub, opI32Or          = 0x6a, 0x6b, 0x72
	opI64Add, opI64Shl                   = 0x7c, 0x86
	opI64ExtendI32U                      = 0xad
	blockVoid                            = 0x40
)

var (
	opMemoryFill = []byte{0xfc, 11, 0}
	opMemoryCopy = []byte{0xfc, 10, 0, 0}
)

type asm []byte

func (c asm) op(b ...byte) asm { return append(c, b...) }
func (c asm) get(i uint32) asm { return appendU32(append(c, opLocalGet), i) }
func (c asm) set(i uint32) asm { return appendU32(append(c, opLocalSet), i) }
func (c asm) i32(v int64) asm  { return appendS64(append(c, opI32Const), v) }

// outOfBounds pushes whether [local a, local a + local n) is not inside the
// memory, computed in 64 bits.
func (c asm) outOfBounds(a, n uint32) asm {
	c = c.get(a).op(opI64ExtendI32U).get(n).op(opI64ExtendI32U, opI64Add)
	c = c.op(opMemorySize, 0, opI64ExtendI32U, opI64Const, 16, opI64Shl)
	return c.op(opI64GtU)
}

// advance adds bulkChunk to each local in ls and subtracts it from n.
func (c asm) advance(n uint32, ls ...uint32) asm {
	for _, l := range ls {
		c = c.get(l).i32(bulkChunk).op(opI32Add).set(l)
	}
	return c.get(n).i32(bulkChunk).op(opI32Sub).set(n)
}

// chunkLoop wraps body in: while (n > bulkChunk) { body; charge }.
func (w *rewriter) chunkLoop(c asm, n uint32, body func(asm) asm) asm {
	c = c.op(opBlock, blockVoid, opLoop, blockVoid)
	c = c.get(n).i32(bulkChunk).op(opI32LeU, opBrIf, 1)
	c = body(c)
	c = w.chargeDirect(c, bulkChunk>>bulkShift)
	return c.op(opBr, 0, opEnd, opEnd)
}

// fillBody is fill(d, v, n): locals 0, 1, 2.
func (w *rewriter) fillBody() []byte {
	c := asm{0} // no locals
	c = c.outOfBounds(0, 2).op(opIf, blockVoid).get(0).get(1).get(2).op(opMemoryFill...).op(opReturn, opEnd)
	c = w.chunkLoop(c, 2, func(c asm) asm {
		c = c.get(0).get(1).i32(bulkChunk).op(opMemoryFill...)
		return c.advance(2, 0)
	})
	return c.get(0).get(1).get(2).op(opMemoryFill...).op(opEnd)
}

// copyBody is copy(d, s, n): locals 0, 1, 2. Overlapping ranges are
// copied from the end when d > s, as memmove does.
func (w *rewriter) copyBody() []byte {
	c := asm{0}
	c = c.outOfBounds(0, 2).outOfBounds(1, 2).op(opI32Or)
	c = c.op(opIf, blockVoid).get(0).get(1).get(2).op(opMemoryCopy...).op(opReturn, opEnd)
	c = c.get(0).get(1).op(opI32GtU, opIf, blockVoid)
	c = w.chunkLoop(c, 2, func(c asm) asm { // backwards
		c = c.get(2).i32(bulkChunk).op(opI32Sub).set(2)
		c = c.get(0).get(2).op(opI32Add).get(1).get(2).op(opI32Add).i32(bulkChunk).op(opMemoryCopy...)
		return c
	})
	c = c.op(opElse)
	c = w.chunkLoop(c, 2, func(c asm) asm { // forwards
		c = c.get(0).get(1).i32(bulkChunk).op(opMemoryCopy...)
		return c.advance(2, 0, 1)
	})
	c = c.op(opEnd)
	return c.get(0).get(1).get(2).op(opMemoryCopy...).op(opEnd)
}

// chargeDirect appends a charge whose cold path calls preempt directly (the
// helpers' loops run once per chunk: spilling their locals costs nothing).
func (w *rewriter) chargeDirect(c asm, units int64) asm {
	c = w.chargeTest(asm(appendU32(append(c, 0x23), w.budget)).i32(units))
	c = appendU32(append(c, 0x10), w.preempt)
	return c.op(opEnd)
}

// growBody is the bounded table.grow of table t, (ref, n) -> old size or
// -1: it refuses to grow the table beyond maxTableSize entries.
func (w *rewriter) growBody(t uint32) []byte {
	c := asm{0}
	c = c.get(1).op(opI64ExtendI32U)
	c = appendU32(append(c, 0xfc), 16) // table.size t
	c = asm(appendU32(c, t)).op(opI64ExtendI32U, opI64Add)
	c = asm(appendS64(append(c, opI64Const), maxTableSize)).op(opI64GtU)
	c = c.op(opIf, blockVoid).i32(-1).op(opReturn, opEnd)
	c = c.get(0).get(1)
	c = appendU32(appendU32(append(c, 0xfc), 15), t) // table.grow t
	return c.op(opEnd)
}
