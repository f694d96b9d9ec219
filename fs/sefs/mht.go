package sefs

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// A file's blocks are checked through a Merkle tree: leaf nodes hold the
// entries of leafEntries blocks (where each block's current version is, and
// its GCM tag or hash), and the nodes above hold the hashes of fanout
// children; the hash of the top node, with the tree's depth, is the file's
// root, kept in its inode record (and so under the layer's root). A random
// block read or write touches one path: O(log n) hashing, never the whole
// file. A node whose hash in its parent is all zero is absent: every block
// below it reads as zeros (a hole).
const (
	leafEntries = 128
	fanout      = 128
	leafSize    = leafEntries * entrySize
	hashNode    = fanout * 32
	maxDepth    = 8 // 128^8 blocks: more than any file
)

// mht is one file's tree: nodes loaded (and verified) or changed since the
// last commit. Callers hold the inode's lock.
type mht struct {
	fs    *FileSystem
	ino   uint64
	depth uint8    // levels: 0 means no blocks at all
	root  [32]byte // hash of the top node (committed or computed)

	nodes map[nodeID][]byte // verified or written nodes
	dirty map[nodeID]bool   // changed since the last commit
	gone  map[nodeID]bool   // removed since the last commit
}

type nodeID struct {
	level uint8
	index uint64
}

func newMHT(fs *FileSystem, ino uint64, depth uint8, root [32]byte) *mht {
	return &mht{fs: fs, ino: ino, depth: depth, root: root,
		nodes: map[nodeID][]byte{}, dirty: map[nodeID]bool{}, gone: map[nodeID]bool{}}
}

func nodeHash(level uint8, node []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{'N', level})
	h.Write(node)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func nodeSize(level uint8) int {
	if level == 0 {
		return leafSize
	}
	return hashNode
}

// capacity is how many blocks a tree of depth d can address.
func capacity(d uint8) uint64 {
	if d == 0 {
		return 0
	}
	c := uint64(leafEntries)
	for l := uint8(1); l < d; l++ {
		c *= fanout
	}
	return c
}

// load returns the verified node id, reading it (and the path above it)
// from the store if needed. A node that does not exist reads as zeros.
func (t *mht) load(id nodeID) ([]byte, error) {
	if n, ok := t.nodes[id]; ok {
		return n, nil
	}
	top := t.depth - 1
	var want [32]byte
	if id.level == top {
		want = t.root
	} else {
		parent, err := t.load(nodeID{id.level + 1, id.index / fanout})
		if err != nil {
			return nil, err
		}
		copy(want[:], parent[(id.index%fanout)*32:])
	}
	var n []byte
	if want == ([32]byte{}) {
		n = make([]byte, nodeSize(id.level))
	} else {
		var err error
		if n, err = t.fs.store.node(t.ino, id.level, id.index); err != nil {
			return nil, err
		}
		if got := nodeHash(id.level, n); len(n) != nodeSize(id.level) || !hmac.Equal(got[:], want[:]) {
			return nil, fmt.Errorf("%w: tree node %d/%d", errCorrupt, id.level, id.index)
		}
	}
	t.nodes[id] = n
	return n, nil
}

// get returns the entry of block idx.
func (t *mht) get(idx uint64) (entry, error) {
	var e entry
	if idx >= capacity(t.depth) {
		return e, nil
	}
	leaf, err := t.load(nodeID{0, idx / leafEntries})
	if err != nil {
		return e, err
	}
	copy(e[:], leaf[(idx%leafEntries)*entrySize:])
	return e, nil
}

// set changes the entry of block idx, growing the tree if needed.
func (t *mht) set(idx uint64, e entry) error {
	for idx >= capacity(t.depth) {
		if err := t.grow(); err != nil {
			return err
		}
	}
	id := nodeID{0, idx / leafEntries}
	leaf, err := t.load(id)
	if err != nil {
		return err
	}
	copy(leaf[(idx%leafEntries)*entrySize:], e[:])
	t.markDirty(id)
	return nil
}

// markDirty marks a node and its ancestors changed.
func (t *mht) markDirty(id nodeID) {
	for {
		t.dirty[id] = true
		delete(t.gone, id)
		if id.level+1 >= t.depth {
			return
		}
		id = nodeID{id.level + 1, id.index / fanout}
	}
}

// grow adds a level on top: the old top becomes child 0 of the new one.
func (t *mht) grow() error {
	if t.depth == maxDepth {
		return fmt.Errorf("file too large")
	}
	if t.depth > 0 {
		// The old top must be loaded: its hash goes into the new top when
		// the tree is committed.
		if _, err := t.load(nodeID{t.depth - 1, 0}); err != nil {
			return err
		}
	}
	t.depth++
	top := nodeID{t.depth - 1, 0}
	n := make([]byte, nodeSize(top.level))
	if top.level > 0 {
		copy(n, t.root[:])
	}
	t.nodes[top] = n
	t.dirty[top] = true
	return nil
}

// cover is how many blocks one node of level l covers.
func cover(l uint8) uint64 {
	c := uint64(leafEntries)
	for ; l > 0; l-- {
		c *= fanout
	}
	return c
}

// truncate drops every entry from block n on: in each level, the node
// holding the boundary loses what lies beyond it, so the nodes after it
// become unreachable (their hashes are zero: a later write finds them
// absent, and they are written afresh).
func (t *mht) truncate(n uint64) error {
	if n == 0 {
		t.nodes = map[nodeID][]byte{}
		t.dirty = map[nodeID]bool{}
		t.gone = map[nodeID]bool{{255, 0}: true} // every node in the store
		t.depth, t.root = 0, [32]byte{}
		return nil
	}
	if n >= capacity(t.depth) {
		return nil
	}
	// Nodes wholly past the cut are unreachable now: forget what was
	// loaded of them, or a later write would bring their old entries back.
	for id := range t.nodes {
		if id.index*cover(id.level) >= n {
			delete(t.nodes, id)
			delete(t.dirty, id)
		}
	}
	for level := uint8(0); level < t.depth; level++ {
		j := n / cover(level)
		off := n - j*cover(level) // blocks of node j that stay
		if off == 0 {
			continue // node j starts at n: its parent drops it
		}
		var from int
		if level == 0 {
			from = int(off) * entrySize
		} else {
			child := cover(level - 1)
			from = int((off+child-1)/child) * 32
		}
		if from >= nodeSize(level) {
			continue
		}
		id := nodeID{level, j}
		node, err := t.load(id)
		if err != nil {
			return err
		}
		clear(node[from:])
		t.markDirty(id)
	}
	return nil
}

// resetting reports whether the tree was emptied since the last commit
// (every node in the store goes).
func (t *mht) resetting() bool { return t.gone[nodeID{255, 0}] }

// commit computes the hashes of changed nodes bottom up, sets the root,
// and puts the nodes to write (nil: to remove) in out. The tree stays
// changed until committed is called: a commit that fails is redone.
func (t *mht) commit(out map[string][]byte) {
	for id := range t.gone {
		if id.level != 255 {
			out[string(nodeKey(t.ino, id.level, id.index))] = nil
		}
	}
	for level := uint8(0); level < t.depth; level++ {
		for id := range t.dirty {
			if id.level != level {
				continue
			}
			n := t.nodes[id]
			h := nodeHash(level, n)
			if allZero(n) {
				out[string(nodeKey(t.ino, id.level, id.index))] = nil
				h = [32]byte{}
			} else {
				out[string(nodeKey(t.ino, id.level, id.index))] = append([]byte(nil), n...)
			}
			if level == t.depth-1 {
				t.root = h
			} else {
				parent := t.nodes[nodeID{level + 1, id.index / fanout}]
				copy(parent[(id.index%fanout)*32:], h[:])
			}
		}
	}
}

// committed records that the nodes given by commit are in the store.
func (t *mht) committed() {
	clear(t.dirty)
	clear(t.gone)
}

// changed reports whether the tree has changes not committed.
func (t *mht) changed() bool { return len(t.dirty) > 0 || len(t.gone) > 0 }

// maxNodes bounds the nodes a tree keeps loaded (about 4 KiB each).
const maxNodes = 4096

// evict forgets the loaded nodes that did not change, when there are too
// many: they are read (and verified) again when needed.
func (t *mht) evict() {
	if len(t.nodes) <= maxNodes {
		return
	}
	for id := range t.nodes {
		if !t.dirty[id] {
			delete(t.nodes, id)
		}
	}
}

// committedEntry returns block idx's entry in the committed tree of depth
// and root, read from the store (verified) without touching the loaded
// tree. Verified nodes go into seen (keyed as the tree's), which the
// caller keeps until the next commit changes the committed tree: a file
// truncated and written again reads each committed node once, not once
// per block.
func committedEntry(fs *FileSystem, ino uint64, depth uint8, root [32]byte, idx uint64, seen map[nodeID][]byte) (entry, error) {
	var e entry
	if depth == 0 || idx >= capacity(depth) {
		return e, nil
	}
	want := root
	for level := int(depth) - 1; level >= 0; level-- {
		if want == ([32]byte{}) {
			return e, nil
		}
		id := nodeID{uint8(level), idx / cover(uint8(level))}
		n, ok := seen[id]
		if !ok {
			var err error
			if n, err = fs.store.node(ino, id.level, id.index); err != nil {
				return e, err
			}
			if got := nodeHash(id.level, n); len(n) != nodeSize(id.level) || !hmac.Equal(got[:], want[:]) {
				return e, fmt.Errorf("%w: tree node %d/%d", errCorrupt, level, id.index)
			}
			if len(seen) >= maxSeenNodes {
				clear(seen)
			}
			seen[id] = n
		}
		if level == 0 {
			copy(e[:], n[(idx%leafEntries)*entrySize:])
			return e, nil
		}
		child := (idx / cover(uint8(level-1))) % fanout
		copy(want[:], n[child*32:])
	}
	return e, nil
}

// maxSeenNodes bounds committedEntry's cache of one file (about 17 MiB of
// leaves: a 4 GiB stretch of a file).
const maxSeenNodes = 4096

var zeroBlock [Block]byte

func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), Block)
		if !bytes.Equal(b[:n], zeroBlock[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}
