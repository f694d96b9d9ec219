package preempt

import mathbits "math/bits"

// Which locals a cold path saves (see code.go): those live there (read
// later before being written) that the enclosing loop writes. A dead local
// saved would keep its old value alive until the check and take a register
// in the loop; a loop-invariant local saved would become a new value at
// the loop head (a phi) and cost moves on every iteration; a loop-carried
// local not saved would be kept in memory on every iteration. Getting it
// wrong is never unsafe, only slower, so a function too large to analyse in
// reasonable memory saves nothing.

// maxLivenessBits bounds blocks x locals of one analysis (64 Mbit, 8 MiB).
const maxLivenessBits = 1 << 26

// bits is a set of locals.
type bits []uint64

func (b bits) set(i uint32)      { b[i/64] |= 1 << (i % 64) }
func (b bits) has(i uint32) bool { return b[i/64]&(1<<(i%64)) != 0 }

// members returns the set's elements in increasing order.
func (b bits) members() []uint32 {
	var out []uint32
	for w, v := range b {
		for v != 0 {
			out = append(out, uint32(w*64+mathbits.TrailingZeros64(v)))
			v &= v - 1
		}
	}
	return out
}

// bblock is a basic block: the locals it reads before writing them (gen),
// the locals it writes (kill), and its successors.
type bblock struct {
	gen, kill, liveIn bits
	succ              []int
}

// noLoop is the loop of a site outside every loop.
const noLoop = -1

// cfgFrame is an open block, loop or if.
type cfgFrame struct {
	loop    bool
	site    int // loop: its site
	isIf    bool
	header  int // loop: the block at its head
	end     int // the block after its end
	ifFrom  int // if: the block the condition ends
	hasElse bool
}

// cfg is the control-flow graph of one function body, built while the
// analysis pass walks it. A site is a place with a cold path: the entry,
// a loop head, or just after a bulk operation.
type cfg struct {
	words    int
	sets     int // bit sets allocated so far
	blocks   []*bblock
	cur      int
	ctrl     []cfgFrame
	sites    []int  // the block at each site's position
	siteLoop []int  // the loop site each site is in (a loop: itself), or noLoop
	written  []bits // per loop site: the locals written in the loop
	failed   bool   // too large: save nothing
	limit    int    // most bit sets allowed
}

func newCFG(locals int) *cfg {
	c := &cfg{words: (locals + 63) / 64}
	c.limit = maxLivenessBits / ((c.words + 1) * 64)
	// Block 0 is where everything goes once the analysis failed; it is
	// empty otherwise.
	c.blocks = []*bblock{{gen: make(bits, c.words), kill: make(bits, c.words)}}
	exit := c.newBlock()
	entry := c.newBlock()
	c.cur = entry
	c.ctrl = []cfgFrame{{end: exit, site: noLoop}}
	c.addSite(entry, noLoop) // site 0: the entry
	return c
}

func (c *cfg) addSite(block, loop int) int {
	c.sites = append(c.sites, block)
	c.siteLoop = append(c.siteLoop, loop)
	c.written = append(c.written, nil)
	return len(c.sites) - 1
}

// innermost returns the site of the innermost open loop, or noLoop.
func (c *cfg) innermost() int {
	for i := len(c.ctrl) - 1; i >= 0; i-- {
		if c.ctrl[i].loop {
			return c.ctrl[i].site
		}
	}
	return noLoop
}

// alloc accounts for n bit sets and reports whether they may be made.
func (c *cfg) alloc(n int) bool {
	if c.failed || c.sets+n > c.limit {
		c.failed = true
		return false
	}
	c.sets += n
	return true
}

func (c *cfg) newBlock() int {
	// Three sets a block: gen, kill and, in solve, liveIn. Once the
	// analysis failed, everything goes to block 0, which holds none:
	// the result is unused.
	if !c.alloc(3) {
		return 0
	}
	c.blocks = append(c.blocks, &bblock{gen: make(bits, c.words), kill: make(bits, c.words)})
	return len(c.blocks) - 1
}

func (c *cfg) edge(from, to int) {
	if !c.failed {
		c.blocks[from].succ = append(c.blocks[from].succ, to)
	}
}

// next starts a new block reached from the current one.
func (c *cfg) next() {
	b := c.newBlock()
	c.edge(c.cur, b)
	c.cur = b
}

// dead starts a block nothing falls into (after br, return, unreachable).
func (c *cfg) dead() { c.cur = c.newBlock() }

func (c *cfg) get(i uint32) {
	if c.failed {
		return
	}
	b := c.blocks[c.cur]
	if !b.kill.has(i) {
		b.gen.set(i)
	}
}

func (c *cfg) set(i uint32) {
	if c.failed {
		return
	}
	c.blocks[c.cur].kill.set(i)
	if l := c.innermost(); l != noLoop {
		c.written[l].set(i)
	}
}

func (c *cfg) block() { c.ctrl = append(c.ctrl, cfgFrame{end: c.newBlock(), site: noLoop}) }

// loop opens a loop and returns its site.
func (c *cfg) loop() int {
	c.next()
	site := c.addSite(c.cur, noLoop)
	c.siteLoop[site] = site
	if c.alloc(1) {
		c.written[site] = make(bits, c.words)
	}
	c.ctrl = append(c.ctrl, cfgFrame{loop: true, site: site, header: c.cur, end: c.newBlock()})
	return site
}

func (c *cfg) ifOp() {
	f := cfgFrame{isIf: true, site: noLoop, ifFrom: c.cur, end: c.newBlock()}
	c.next()
	c.ctrl = append(c.ctrl, f)
}

func (c *cfg) elseOp() {
	f := &c.ctrl[len(c.ctrl)-1]
	c.edge(c.cur, f.end)
	c.cur = c.newBlock()
	c.edge(f.ifFrom, c.cur)
	f.hasElse = true
}

func (c *cfg) end() {
	f := c.ctrl[len(c.ctrl)-1]
	c.edge(c.cur, f.end)
	if f.isIf && !f.hasElse {
		c.edge(f.ifFrom, f.end)
	}
	c.ctrl = c.ctrl[:len(c.ctrl)-1]
	c.cur = f.end
	if f.loop && !c.failed {
		// What a loop writes, the loops around it write too.
		if outer := c.innermost(); outer != noLoop {
			for w, v := range c.written[f.site] {
				c.written[outer][w] |= v
			}
		}
	}
}

func (c *cfg) target(label uint32) int {
	if int(label) >= len(c.ctrl) {
		return c.ctrl[0].end // invalid; the runtime rejects it
	}
	f := c.ctrl[len(c.ctrl)-1-int(label)]
	if f.loop {
		return f.header
	}
	return f.end
}

func (c *cfg) br(label uint32) {
	c.edge(c.cur, c.target(label))
	c.dead()
}

func (c *cfg) brIf(label uint32) {
	c.edge(c.cur, c.target(label))
	c.next()
}

func (c *cfg) brTable(labels []uint32) {
	for _, l := range labels {
		c.edge(c.cur, c.target(l))
	}
	c.dead()
}

// exit ends the current block with a return (or a trap: nothing after it
// reads a local either way).
func (c *cfg) exit() {
	c.edge(c.cur, c.ctrl[0].end)
	c.dead()
}

// site marks a bulk operation's position and returns its site.
func (c *cfg) site() int {
	c.next()
	return c.addSite(c.cur, c.innermost())
}

// solve computes live-in sets and returns, for each site, the locals to
// save there: live, and written by the loop the site is in (nil if the
// analysis failed).
func (c *cfg) solve() []bits {
	if c.failed {
		return nil
	}
	for _, b := range c.blocks {
		b.liveIn = make(bits, c.words)
	}
	out := make(bits, c.words)
	for changed := true; changed; {
		changed = false
		for i := len(c.blocks) - 1; i >= 0; i-- {
			b := c.blocks[i]
			clear(out)
			for _, s := range b.succ {
				for w, v := range c.blocks[s].liveIn {
					out[w] |= v
				}
			}
			for w := range out {
				v := b.gen[w] | out[w]&^b.kill[w]
				if v != b.liveIn[w] {
					b.liveIn[w] = v
					changed = true
				}
			}
		}
	}
	res := make([]bits, len(c.sites))
	for k, s := range c.sites {
		res[k] = make(bits, c.words)
		if l := c.siteLoop[k]; l != noLoop {
			for w := range res[k] {
				res[k][w] = c.blocks[s].liveIn[w] & c.written[l][w]
			}
		}
	}
	return res
}
