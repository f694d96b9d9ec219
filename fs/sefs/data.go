package sefs

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
)

// File data. A block's current version is found through the file's tree
// (slot and tag); a block never written, or cut off by a truncation, reads
// as zeros. Blocks written by a program go to the write-back cache as
// plaintext; they are sealed and written out when the cache is full or at
// a commit, in runs of consecutive blocks.
//
// Where a block is written out: a file has two objects (slots), and a
// block's new version never goes over the version the last commit points
// to. The first write-out of a block after a commit picks the slot the
// committed version does not use (safeSlot) and remembers it in in.safe;
// later write-outs before the next commit reuse it.

// maxRun is the most blocks read or written out with one host call.
const maxRun = 64

// maxFileSize is the largest file size, as Linux's MAX_LFS_FILESIZE.
const maxFileSize = math.MaxInt64

// cipher returns the file's block cipher (nil in integrity mode).
func (in *inode) cipher() cipher.AEAD {
	if !in.aeadSet {
		in.aead = in.fs.keys.fileCipher(in.ino, in.gen)
		in.aeadSet = true
	}
	return in.aead
}

// loadTree returns the file's tree, loading it if needed.
func (in *inode) loadTree() *mht {
	if in.tree == nil {
		in.tree = newMHT(in.fs, in.ino, in.depth, in.root)
	}
	return in.tree
}

// integrity reports an integrity failure of the file and returns EIO.
// idx is the block, unless err says which (a blockError).
func (in *inode) integrity(err error, idx uint64) errno.Errno {
	var be *blockError
	if errors.As(err, &be) {
		idx = be.idx
	}
	if isCorrupt(err) {
		in.fs.report(fmt.Errorf("sefs: %s: block %d: %w (the host changed, lost or rolled back the file's data)", in.path(), idx, err))
		return errno.EIO
	}
	return errOf(err)
}

// blockError is an error about one block of a file.
type blockError struct {
	idx uint64
	err error
}

func (e *blockError) Error() string { return e.err.Error() }
func (e *blockError) Unwrap() error { return e.err }

// readLocked reads the file at off.
//
// Preconditions: fs.mu is held; in is a regular file; off >= 0.
func (in *inode) readLocked(p []byte, off int64) (int, errno.Errno) {
	if off >= in.size {
		return 0, 0
	}
	if rem := in.size - off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		idx, bo := uint64(pos/Block), int(pos%Block)
		if cb := in.cache[idx]; cb != nil {
			n += copy(p[n:], cb[bo:])
			continue
		}
		// A run of uncached blocks, read with one host call per slot run.
		last := uint64((pos + int64(len(p)-n) - 1) / Block)
		count := uint64(1)
		for count < maxRun && idx+count <= last && in.cache[idx+count] == nil {
			count++
		}
		got, err := in.readBlocks(idx, count, p[n:], bo)
		n += got
		if err != nil {
			return n, in.integrity(err, idx)
		}
	}
	return n, 0
}

// readBlocks reads count blocks from block first into dst, starting at
// byte skip of the first block, and returns the bytes placed. Whole blocks
// are opened straight into dst.
func (in *inode) readBlocks(first, count uint64, dst []byte, skip int) (int, error) {
	fs := in.fs
	t := in.loadTree()
	ents := fs.ents[:count]
	for i := range ents {
		e, err := t.get(first + uint64(i))
		if err != nil {
			return 0, err
		}
		ents[i] = e
	}
	// The bytes of dst each block fills.
	span := func(k int) (lo, hi int) {
		if k == 0 {
			return 0, min(Block-skip, len(dst))
		}
		lo = Block - skip + (k-1)*Block
		return min(lo, len(dst)), min(lo+Block, len(dst))
	}
	// Host reads: one per run of present blocks in the same slot.
	for i := 0; i < len(ents); {
		j := i + 1
		if !ents[i].present() {
			i = j
			continue
		}
		for j < len(ents) && ents[j].present() && ents[j].slot() == ents[i].slot() {
			j++
		}
		o, err := in.object(ents[i].slot(), false)
		if err != nil {
			return 0, err
		}
		ct := fs.rbuf[i*Block : j*Block]
		if got, err := o.ReadAt(ct, int64(first+uint64(i))*Block); got < len(ct) {
			if err == nil || isEOF(err) {
				err = fmt.Errorf("%w: the object is shorter than its blocks", errCorrupt)
			}
			// Nothing is opened yet: no bytes to give.
			return 0, &blockError{first + uint64(i+got/Block), err}
		}
		i = j
	}
	// Checks and decryption, on two CPUs for long reads. On an error, the
	// bytes before the first bad block are kept.
	c := in.cipher()
	bad := len(ents)
	var badMu sync.Mutex
	err := fs.parallel(len(ents), func(w *worker, lo, hi int) error {
		for k := lo; k < hi; k++ {
			a, b := span(k)
			if a >= b {
				return nil
			}
			out := dst[a:b]
			if !ents[k].present() {
				clear(out)
				continue
			}
			pt := w.pbuf[:]
			if len(out) == Block {
				pt = out
			}
			if err := openBlock(c, first+uint64(k), fs.rbuf[k*Block:(k+1)*Block], pt, &ents[k], w.scratch[:]); err != nil {
				badMu.Lock()
				bad = min(bad, k)
				badMu.Unlock()
				return &blockError{first + uint64(k), err}
			}
			if len(out) != Block {
				bo := 0
				if k == 0 {
					bo = skip
				}
				copy(out, pt[bo:])
			}
		}
		return nil
	})
	if err != nil {
		n, _ := span(bad)
		return n, err
	}
	_, n := span(len(ents) - 1)
	return n, nil
}

// readBlock reads block idx's current plaintext into pt (for a partial
// write or a truncation inside a block).
func (in *inode) readBlock(idx uint64, pt *[Block]byte) error {
	_, err := in.readBlocks(idx, 1, pt[:], 0)
	return err
}

// writeLocked writes p at off through the cache.
//
// Preconditions: fs.mu is held; in is a regular file; off >= 0.
func (in *inode) writeLocked(p []byte, off int64) (int, errno.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	if off > maxFileSize-int64(len(p)) {
		return 0, errno.EFBIG
	}
	fs := in.fs
	if in.cache == nil {
		in.cache = map[uint64]*[Block]byte{}
	}
	n := 0
	var e errno.Errno
	for n < len(p) {
		pos := off + int64(n)
		idx, bo := uint64(pos/Block), int(pos%Block)
		chunk := min(Block-bo, len(p)-n)
		cb := in.cache[idx]
		if cb == nil {
			if e = fs.reserveBlock(); e != 0 {
				break
			}
			cb = fs.getBlock()
			if chunk == Block {
				// Wholly overwritten below.
			} else if pos-int64(bo) < in.size {
				// Part of a block that has data: read, then change.
				if err := in.readBlock(idx, cb); err != nil {
					fs.putBlock(cb)
					e = in.integrity(err, idx)
					break
				}
			} else {
				clear(cb[:])
			}
			in.cache[idx] = cb
			fs.cached += Block
			fs.touched[in.ino] = in
		}
		copy(cb[bo:], p[n:n+chunk])
		n += chunk
	}
	if n == 0 {
		return 0, e
	}
	if end := off + int64(n); end > in.size {
		in.size = end
	}
	ts := fs.now()
	in.mtime, in.ctime = ts, ts
	in.markDirty()
	return n, e
}

// truncateLocked sets the size. Blocks past the end are dropped from the
// tree; the tail of the last partial block is zeroed, so that growing
// again reads zeros.
func (in *inode) truncateLocked(size int64) errno.Errno {
	if size >= in.size {
		in.size = size
		return 0
	}
	fs := in.fs
	keep := uint64((size + Block - 1) / Block)
	for idx, cb := range in.cache {
		if idx >= keep {
			delete(in.cache, idx)
			fs.putBlock(cb)
			fs.cached -= Block
		}
	}
	if bo := int(size % Block); bo != 0 {
		idx := uint64(size / Block)
		cb := in.cache[idx]
		if cb == nil {
			if e := fs.reserveBlock(); e != 0 {
				return e
			}
			cb = fs.getBlock()
			if err := in.readBlock(idx, cb); err != nil {
				fs.putBlock(cb)
				return in.integrity(err, idx)
			}
			if in.cache == nil {
				in.cache = map[uint64]*[Block]byte{}
			}
			in.cache[idx] = cb
			fs.cached += Block
		}
		clear(cb[bo:])
	}
	if err := in.loadTree().truncate(keep); err != nil {
		return in.integrity(err, keep)
	}
	in.truncFrom = min(in.truncFrom, keep)
	in.shrunk = true
	in.size = size
	fs.touched[in.ino] = in
	return 0
}

// dropCache forgets the cached blocks (of a removed file).
func (in *inode) dropCache() {
	for idx, cb := range in.cache {
		in.fs.putBlock(cb)
		in.fs.cached -= Block
		delete(in.cache, idx)
	}
}

// safeSlot returns the slot a new version of block idx may be written to:
// not the one the last commit points to.
func (in *inode) safeSlot(idx uint64) (uint8, error) {
	if s, ok := in.safe[idx]; ok {
		return s, nil
	}
	var e entry
	var err error
	if idx >= in.truncFrom {
		// Cut off since the last commit: the committed tree knows.
		if in.oldNodes == nil {
			in.oldNodes = map[nodeID][]byte{}
		}
		e, err = committedEntry(in.fs, in.ino, in.depth, in.root, idx, in.oldNodes)
	} else {
		e, err = in.loadTree().get(idx)
	}
	if err != nil {
		return 0, err
	}
	if e.present() && e.slot() == 0 {
		return 1, nil
	}
	return 0, nil
}

// flush seals and writes out the cached blocks. Blocks whose write failed
// stay cached (nothing is lost; the error is returned).
func (in *inode) flush() error {
	if len(in.cache) == 0 {
		return nil
	}
	fs := in.fs
	idxs := make([]uint64, 0, len(in.cache))
	for idx := range in.cache {
		idxs = append(idxs, idx)
	}
	sort.Slice(idxs, func(i, j int) bool { return idxs[i] < idxs[j] })
	if in.safe == nil {
		in.safe = map[uint64]uint8{}
	}
	t := in.loadTree()
	c := in.cipher()
	for i := 0; i < len(idxs); {
		slot, err := in.safeSlot(idxs[i])
		if err != nil {
			return err
		}
		// A run: consecutive blocks that go to the same slot.
		slots := fs.slots[:0]
		slots = append(slots, slot)
		j := i + 1
		for j < len(idxs) && j-i < maxRun && idxs[j] == idxs[j-1]+1 {
			s, err := in.safeSlot(idxs[j])
			if err != nil {
				return err
			}
			if s != slot {
				break
			}
			slots = append(slots, s)
			j++
		}
		ents := fs.ents[:j-i]
		buf := fs.wbuf[:(j-i)*Block]
		zero := true
		for k := i; k < j && zero; k++ {
			zero = allZero(in.cache[idxs[k]][:])
		}
		if !zero {
			fs.parallel(j-i, func(w *worker, lo, hi int) error {
				siv := w.sivHash(fs, c)
				for k := lo; k < hi; k++ {
					ents[k] = entry{}
					ents[k].setSlot(int(slot))
					sealBlock(c, in.ino, idxs[i+k], in.cache[idxs[i+k]][:], buf[k*Block:(k+1)*Block], &ents[k], siv, w.scratch[:])
				}
				return nil
			})
		}
		if zero {
			// Only zeros: a hole, nothing to write.
			for k := range ents {
				ents[k] = entry{}
			}
		} else {
			o, err := in.object(int(slot), true)
			if err != nil {
				return err
			}
			if _, err := o.WriteAt(buf, int64(idxs[i])*Block); err != nil {
				return err
			}
			in.unsynced[slot] = true
		}
		for k := i; k < j; k++ {
			if err := t.set(idxs[k], ents[k-i]); err != nil {
				return err
			}
			in.safe[idxs[k]] = slot
			fs.putBlock(in.cache[idxs[k]])
			delete(in.cache, idxs[k])
			fs.cached -= Block
		}
		i = j
	}
	t.evict()
	return nil
}

// reserveBlock makes room for one more cached block, writing out caches
// if it is full.
func (fs *FileSystem) reserveBlock() errno.Errno {
	if fs.cached+Block <= fs.opts.CacheSize {
		return 0
	}
	for _, in := range fs.touched {
		if err := in.flush(); err != nil {
			fs.report(fmt.Errorf("sefs: writing out %s: %w", in.path(), err))
			return errOf(err)
		}
	}
	return 0
}

func (fs *FileSystem) getBlock() *[Block]byte {
	if n := len(fs.free); n > 0 {
		b := fs.free[n-1]
		fs.free = fs.free[:n-1]
		return b
	}
	return new([Block]byte)
}

// putBlock keeps a block for reuse, up to a cache's worth: a full cache
// written out and filled again reuses its blocks rather than making the
// garbage collector take them and the allocator make them again.
func (fs *FileSystem) putBlock(b *[Block]byte) {
	if int64(len(fs.free)) < fs.opts.CacheSize/Block {
		fs.free = append(fs.free, b)
	}
}
