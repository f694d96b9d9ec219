// Package sefs is the secure file system: a layer whose contents the host
// stores but can neither read (in encrypted mode) nor change, swap, cut or
// roll back piecemeal without the LibOS noticing. It is the mount type of
// the image layer (read-only, built by `occlum build`) and of the container
// layer (writable, sealed with the platform's key); docs/sefs.md has the
// on-disk format and the threat model.
//
// A layer is a metadata database (bbolt: atomic, durable commits) and
// objects holding file data in 4 KiB blocks. Every block is sealed with
// AES-256-GCM under a per-file key (or, integrity-only, hashed); where a
// block's current version is, and its tag, sit in the file's Merkle tree
// (mht.go), whose root is in the file's inode record; every record is
// sealed and hashed into the layer's root, in the superblock, which is
// MAC'ed (encrypted mode) or pinned by the signed measurement (the image).
//
// Crash consistency: a block's new version is never written over the
// committed one (each file has two objects, and a block alternates between
// them), and a commit makes the data durable (fdatasync) before bbolt
// commits the metadata that points to it. A crash at any moment leaves the
// last commit: every file as of its last fsync (fsync, sync and the
// periodic commit commit everything) or newer. Objects of files removed,
// and the tails of files shrunk, go only after the commit that no longer
// needs them; what a crash leaves behind is collected at the next mount.
//
// Metadata (every inode and directory) is held in memory and loaded, and
// verified against the root, at mount; file data is verified per block,
// on demand. Writes go to a write-back cache of plaintext blocks
// (Options.CacheSize), sealed and written out when it fills or at commit.
//
// Lock order: FileSystem.mu guards everything in the file system and is
// held across host I/O; sefs calls nothing outside itself while holding
// it. (One lock: simple, and what a single stream needs; finer locks can
// come when measurements ask for them.)
package sefs

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "sefs"

// Errors of Mount a caller may want to explain.
var (
	ErrKeyNeeded    = errors.New("the layer is encrypted, and no key was given")
	ErrKeyNotWanted = errors.New("the layer is integrity-only, but a key was given")
	ErrWrongKey     = errors.New("the superblock does not verify: a wrong key, or a tampered layer")
	ErrOtherImage   = errors.New("the layer was made over another image (another build); it cannot be mixed with this one")
	ErrNoLayer      = errors.New("no superblock: not a sefs layer, or never committed")
)

// Options configure a layer.
type Options struct {
	// Mode is Integrity or Encrypted; Key (KeySize bytes) is needed for
	// Encrypted.
	Mode Mode
	Key  []byte
	// ReadOnly opens the layer for reading only (the image layer).
	ReadOnly bool
	// Root, if set, is the root the layer must have (the image root of
	// the signed measurement).
	Root *[32]byte
	// BoundTo is the image root a container layer belongs to: a new layer
	// records it, an existing one must have recorded the same. Zero: a
	// layer of its own (a data volume), which any image may mount.
	BoundTo [32]byte
	// CacheSize bounds the write-back cache (bytes); 0: 32 MiB.
	CacheSize int64
	// CommitInterval is how often changes are committed without an
	// fsync; 0: 5 s; negative: only on Sync.
	CommitInterval time.Duration
	// Deterministic derives nonces from contents, so the same files give
	// the same layer root (building an image; never for a writable
	// layer in use).
	Deterministic bool
	// Report, if set, receives integrity and host errors (for logging).
	Report func(error)
	// NoSync skips making commits durable (fdatasync): for a layer that
	// can be made again from its source, the image being built. Commits
	// stay atomic.
	NoSync bool
	// MountPoint prefixes the paths in error messages.
	MountPoint string
	// Now, if set, gives the time for new inodes and changes (building
	// a reproducible image); nil: the clock.
	Now func() int64
}

// FileSystem is one mounted layer.
type FileSystem struct {
	mu      sync.Mutex
	storage Storage
	store   *store
	keys    *keys
	opts    Options
	sb      superblock
	inodes  map[uint64]*inode
	groups  map[uint64][32]byte
	dirtyG  map[uint64]bool
	removed map[uint64]*inode // records to delete at the next commit
	touched map[uint64]*inode // inodes with changes not committed
	created bool              // objects created since the last commit
	cached  int64             // bytes in write-back caches
	closed  bool
	stop    chan struct{}
	ticker  *time.Ticker

	// Buffers for the data path (guarded by mu).
	free    []*[Block]byte
	ents    [maxRun]entry
	slots   []uint8
	rbuf    [maxRun * Block]byte
	wbuf    [maxRun * Block]byte
	workers [2]worker
}

// worker is one goroutine's buffers for sealing and opening blocks.
type worker struct {
	pbuf    [Block]byte
	scratch [Block + 16]byte
	siv     hash.Hash // sealBlock's nonce HMAC (deterministic layers), made at first use
}

// sivHash returns the worker's HMAC for deterministic nonces, or nil
// where nonces are random (or there is no encryption: c is nil).
func (w *worker) sivHash(fs *FileSystem, c cipher.AEAD) hash.Hash {
	if c == nil || !fs.opts.Deterministic {
		return nil
	}
	if w.siv == nil {
		w.siv = hmac.New(sha256.New, fs.keys.siv)
	}
	return w.siv
}

// parallelMin is the fewest blocks worth splitting between two goroutines.
const parallelMin = 32

// parallel runs fn over [0, n), split in two halves run at once when n is
// large enough and there is a second CPU.
//
// Preconditions: fs.mu is held (the workers' buffers are the caller's).
func (fs *FileSystem) parallel(n int, fn func(w *worker, lo, hi int) error) error {
	if n < parallelMin || runtime.GOMAXPROCS(0) < 2 {
		return fn(&fs.workers[0], 0, n)
	}
	mid := n / 2
	var wg sync.WaitGroup
	var err1 error
	wg.Add(1)
	go func() {
		defer wg.Done()
		err1 = fn(&fs.workers[1], mid, n)
	}()
	err0 := fn(&fs.workers[0], 0, mid)
	wg.Wait()
	if err0 != nil {
		return err0
	}
	return err1
}

var _ vfs.FileSystem = (*FileSystem)(nil)

const rootIno = 1

// Create makes a new, empty layer in storage. A container layer records
// opts.BoundTo.
func Create(storage Storage, opts Options) (*FileSystem, error) {
	if opts.ReadOnly {
		return nil, errors.New("sefs: a new layer cannot be read-only")
	}
	if opts.Mode != Integrity && opts.Mode != Encrypted {
		return nil, fmt.Errorf("sefs: unknown mode %d", opts.Mode)
	}
	st, err := openStore(storage.MetaPath(), false, opts.NoSync)
	if err != nil {
		return nil, err
	}
	if st.exists() {
		st.close()
		return nil, errors.New("sefs: there is a layer here already")
	}
	fs := newFS(storage, st, opts)
	fs.sb.mode = opts.Mode
	if opts.Deterministic {
		// Reproducible: the layer's identity follows from its key.
		h := sha256.Sum256(append([]byte("sefs layer id\x00"), opts.Key...))
		copy(fs.sb.layerID[:], h[:16])
	} else if _, err := rand.Read(fs.sb.layerID[:]); err != nil {
		st.close()
		return nil, err
	}
	fs.sb.boundTo = opts.BoundTo
	fs.sb.nextIno = rootIno + 1
	if fs.keys, err = deriveKeys(opts.Mode, opts.Key, fs.sb.layerID[:]); err != nil {
		st.close()
		return nil, fmt.Errorf("sefs: %w", err)
	}
	root := fs.newInode(rootIno, vfs.TypeDirectory, 0o755)
	root.nlink = 2
	if err := fs.commitLocked(); err != nil {
		st.close()
		return nil, err
	}
	fs.start()
	return fs, nil
}

// Mount opens an existing layer and verifies its metadata.
func Mount(storage Storage, opts Options) (*FileSystem, error) {
	st, err := openStore(storage.MetaPath(), opts.ReadOnly, opts.NoSync)
	if err != nil {
		return nil, err
	}
	fs, err := mount(storage, st, opts)
	if err != nil {
		st.close()
		return nil, err
	}
	fs.start()
	return fs, nil
}

func mount(storage Storage, st *store, opts Options) (*FileSystem, error) {
	sb, recs, err := st.load()
	if err != nil {
		return nil, fmt.Errorf("sefs: %w", err)
	}
	if sb.mode != opts.Mode {
		if opts.Mode == Encrypted {
			return nil, fmt.Errorf("sefs: %w", ErrKeyNotWanted)
		}
		return nil, fmt.Errorf("sefs: %w", ErrKeyNeeded)
	}
	if sb.mode == Integrity && (opts.Root == nil || !opts.ReadOnly) {
		// Nothing but a pinned root protects an integrity-only layer.
		return nil, errors.New("sefs: an integrity-only layer is mounted read-only, against the root its build recorded")
	}
	fs := newFS(storage, st, opts)
	fs.sb = *sb
	if fs.keys, err = deriveKeys(sb.mode, opts.Key, sb.layerID[:]); err != nil {
		return nil, fmt.Errorf("sefs: %w", err)
	}
	if sb.mode == Encrypted && !sb.checkMAC(fs.keys) {
		return nil, fmt.Errorf("sefs: %w", ErrWrongKey)
	}
	if sb.mode == Integrity && !sb.checkBlank() {
		return nil, errors.New("sefs: the superblock of an integrity-only layer has a MAC: the layer was changed after the build")
	}
	if opts.Root != nil && sb.root() != *opts.Root {
		return nil, fmt.Errorf("sefs: the layer's root is %x, the signed measurement says %x: the layer was changed after the build", sb.root(), *opts.Root)
	}
	if sb.mode == Encrypted && opts.Root == nil && opts.BoundTo != ([32]byte{}) && sb.boundTo != opts.BoundTo {
		return nil, fmt.Errorf("sefs: %w", ErrOtherImage)
	}
	bad := map[uint64]error{}
	for ino, sealed := range recs {
		rec, err := fs.keys.openRecord(sb.layerID[:], ino, sealed)
		if err == nil {
			var in *inode
			if in, err = decodeRecord(fs, ino, rec); err == nil {
				in.recHash = sha256.Sum256(sealed)
				fs.inodes[ino] = in
				fs.dirtyG[ino/groupSize] = true
				continue
			}
		}
		bad[ino] = err
	}
	if len(bad) > 0 {
		return nil, fs.badRecords(bad)
	}
	if got := fs.inodeRoot(); got != sb.inodeRoot {
		return nil, fmt.Errorf("sefs: %w: the inode records do not match the superblock (tampered, or rolled back piecemeal)", errCorrupt)
	}
	if err := fs.checkTree(); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		fs.collect()
	}
	return fs, nil
}

func newFS(storage Storage, st *store, opts Options) *FileSystem {
	if opts.CacheSize <= 0 {
		opts.CacheSize = 32 << 20
	}
	if opts.CommitInterval == 0 {
		opts.CommitInterval = 5 * time.Second
	}
	return &FileSystem{storage: storage, store: st, opts: opts, inodes: map[uint64]*inode{},
		groups: map[uint64][32]byte{}, dirtyG: map[uint64]bool{}, removed: map[uint64]*inode{},
		touched: map[uint64]*inode{}, slots: make([]uint8, 0, maxRun)}
}

// now is the time for changes.
func (fs *FileSystem) now() int64 {
	if fs.opts.Now != nil {
		return fs.opts.Now()
	}
	return time.Now().UnixNano()
}

// writable says why the layer cannot be changed, if it cannot.
func (fs *FileSystem) writable() errno.Errno {
	switch {
	case fs.opts.ReadOnly:
		return errno.EROFS
	case fs.closed:
		return errno.EIO
	}
	return 0
}

func sortDirents(d []vfs.Dirent) {
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
}

func isCorrupt(err error) bool { return errors.Is(err, errCorrupt) || errors.Is(err, errMissing) }

func isEOF(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) }

// badRecords names (by path, where a directory that verified names them)
// the inodes whose records did not open or parse.
func (fs *FileSystem) badRecords(bad map[uint64]error) error {
	var msgs []string
	for ino, err := range bad {
		where := fmt.Sprintf("inode %d", ino)
		if p := fs.holder(ino); p != 0 || ino == rootIno {
			probe := &inode{fs: fs, ino: ino, parent: p}
			where = probe.path()
		}
		msgs = append(msgs, where+": "+err.Error())
		if len(msgs) == 5 {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(bad)-5))
			break
		}
	}
	sort.Strings(msgs)
	return fmt.Errorf("sefs: %w: the metadata of %s (tampered, or written with another key)", errCorrupt, strings.Join(msgs, "; "))
}

// checkTree checks that the records form one tree from the root: every
// child exists, directories have one parent, link counts are right.
// Records that verify can still be inconsistent only if the layer's key
// made them so; this keeps a bug (or a forged integrity-only layer with a
// matching root) from crashing the LibOS.
func (fs *FileSystem) checkTree() error {
	root := fs.inodes[rootIno]
	if root == nil || root.typ != vfs.TypeDirectory {
		return fmt.Errorf("sefs: %w: no root directory", errCorrupt)
	}
	links := map[uint64]uint64{}
	dirParent := map[uint64]uint64{rootIno: rootIno}
	for _, in := range fs.inodes {
		if in.ino >= fs.sb.nextIno {
			return fmt.Errorf("sefs: %w: inode %d beyond the next number", errCorrupt, in.ino)
		}
		for _, c := range in.children {
			ci := fs.inodes[c]
			if ci == nil || c == rootIno {
				return fmt.Errorf("sefs: %w: directory %d names a missing inode %d", errCorrupt, in.ino, c)
			}
			links[c]++
			ci.parent = in.ino
			if ci.typ == vfs.TypeDirectory {
				if _, dup := dirParent[c]; dup {
					return fmt.Errorf("sefs: %w: directory %d has two parents", errCorrupt, c)
				}
				dirParent[c] = in.ino
				links[in.ino]++ // its ".."
			}
		}
	}
	for ino, in := range fs.inodes {
		want := links[ino]
		if in.typ == vfs.TypeDirectory {
			want += 1 // "."
			if ino == rootIno {
				want++
			}
		}
		if in.nlink != want && !(in.nlink == 0 && want == 0) {
			return fmt.Errorf("sefs: %w: inode %d has %d links, its records say %d", errCorrupt, ino, want, in.nlink)
		}
		if in.nlink == 0 {
			fs.removeLocked(in) // an orphan: unlinked while open, then a crash
		}
	}
	// Directories unreachable from the root (a cycle) have a parent each
	// but no path: walk up from each.
	for ino, in := range fs.inodes {
		if in.typ != vfs.TypeDirectory || in.nlink == 0 {
			continue
		}
		seen := 0
		for p := ino; p != rootIno; p = dirParent[p] {
			if seen++; seen > len(fs.inodes) {
				return fmt.Errorf("sefs: %w: directory %d is not under the root", errCorrupt, ino)
			}
		}
	}
	return nil
}

// collect removes objects no inode owns (left by a crash).
func (fs *FileSystem) collect() {
	names, err := fs.storage.List()
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, in := range fs.inodes {
		if in.typ == vfs.TypeRegular {
			base := fs.keys.objectName(in.ino, in.gen)
			live[base+".a"], live[base+".b"] = true, true
		}
	}
	for _, n := range names {
		if !live[n] {
			fs.storage.Remove(n)
		}
	}
}

// start runs the periodic commit.
func (fs *FileSystem) start() {
	if fs.opts.ReadOnly || fs.opts.CommitInterval < 0 {
		return
	}
	fs.stop = make(chan struct{})
	fs.ticker = time.NewTicker(fs.opts.CommitInterval)
	go func(stop chan struct{}, tick <-chan time.Time) {
		for {
			select {
			case <-stop:
				return
			case <-tick:
				fs.Sync()
			}
		}
	}(fs.stop, fs.ticker.C)
}

// Root implements vfs.FileSystem.
func (fs *FileSystem) Root() vfs.Inode {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.inodes[rootIno]
}

// Type implements vfs.FileSystem.
func (fs *FileSystem) Type() string { return Name }

// LayerRoot returns the layer's root: for an image, what the measurement
// pins.
func (fs *FileSystem) LayerRoot() [32]byte {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.sb.root()
}

// Version returns the number of commits so far (for a later attestation
// to pin: a rollback of the whole layer keeps every check but this one).
func (fs *FileSystem) Version() uint64 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.sb.version
}

// Sync commits every change, durably.
//
// # Errors
//   - EIO: the host failed (the last commit stays: nothing committed is lost).
//   - ENOSPC: the host disk is full (likewise).
//   - EROFS: a read-only layer.
func (fs *FileSystem) Sync() errno.Errno {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.opts.ReadOnly || fs.closed {
		return 0
	}
	return errOf(fs.commitLocked())
}

// Close commits and releases the layer.
func (fs *FileSystem) Close() error {
	fs.mu.Lock()
	if fs.closed {
		fs.mu.Unlock()
		return nil
	}
	var err error
	if !fs.opts.ReadOnly {
		err = fs.commitLocked()
	}
	fs.mu.Unlock()
	if e := fs.release(); err == nil {
		err = e
	}
	return err
}

// release stops the periodic commit and closes the objects and the
// database, committing nothing.
func (fs *FileSystem) release() error {
	fs.mu.Lock()
	fs.closed = true
	if fs.stop != nil {
		close(fs.stop)
		fs.ticker.Stop()
		fs.stop = nil
	}
	for _, in := range fs.inodes {
		in.closeObjects()
	}
	for _, in := range fs.removed {
		in.closeObjects()
	}
	fs.mu.Unlock()
	return fs.store.close()
}

// errOf turns a host failure into an errno.
func errOf(err error) errno.Errno {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errCorrupt):
		return errno.EIO
	case errors.Is(err, fs.ErrPermission):
		return errno.EACCES
	}
	if e := errno.FromError(err); e == errno.ENOSPC || e == errno.EDQUOT {
		return errno.ENOSPC
	}
	return errno.EIO
}

// report logs an integrity error.
func (fs *FileSystem) report(err error) {
	if fs.opts.Report != nil {
		fs.opts.Report(err)
	}
}

// groupSize is how many inode numbers share one hash in the inode tree.
const groupSize = 256

// inodeRoot recomputes the changed groups' hashes and the root over all.
//
// Preconditions: fs.mu is held.
func (fs *FileSystem) inodeRoot() [32]byte {
	if len(fs.dirtyG) > 0 {
		byGroup := map[uint64][]uint64{}
		for ino := range fs.inodes {
			if g := ino / groupSize; fs.dirtyG[g] {
				byGroup[g] = append(byGroup[g], ino)
			}
		}
		for g := range fs.dirtyG {
			inos := byGroup[g]
			if len(inos) == 0 {
				delete(fs.groups, g)
				continue
			}
			sort.Slice(inos, func(i, j int) bool { return inos[i] < inos[j] })
			h := sha256.New()
			h.Write([]byte("sefs group\x00"))
			for _, ino := range inos {
				h.Write(binary.BigEndian.AppendUint64(nil, ino))
				r := fs.inodes[ino].recHash
				h.Write(r[:])
			}
			var gh [32]byte
			copy(gh[:], h.Sum(nil))
			fs.groups[g] = gh
		}
		fs.dirtyG = map[uint64]bool{}
	}
	gs := make([]uint64, 0, len(fs.groups))
	for g := range fs.groups {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	h := sha256.New()
	h.Write([]byte("sefs inodes\x00"))
	for _, g := range gs {
		h.Write(binary.BigEndian.AppendUint64(nil, g))
		gh := fs.groups[g]
		h.Write(gh[:])
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// manySyncs is the number of objects to make durable above which one
// SyncAll is cheaper than an fdatasync each.
const manySyncs = 16

// syncData makes the data written to objects durable.
func (fs *FileSystem) syncData() error {
	if fs.opts.NoSync {
		return nil
	}
	n := 0
	for _, in := range fs.touched {
		if in.unsynced[0] || in.unsynced[1] {
			n++
		}
	}
	if sa, ok := fs.storage.(SyncAller); ok && n > manySyncs {
		if err := sa.SyncAll(); err != nil {
			return err
		}
		for _, in := range fs.touched {
			in.unsynced = [2]bool{}
		}
		return nil
	}
	for _, in := range fs.touched {
		if err := in.syncObjects(); err != nil {
			return err
		}
	}
	return nil
}

// commitLocked makes every change durable in one atomic commit. If it
// fails, nothing is marked committed: the next commit redoes it all.
//
// Preconditions: fs.mu is held; the layer is writable.
func (fs *FileSystem) commitLocked() error {
	if len(fs.touched) == 0 && len(fs.removed) == 0 {
		return nil
	}
	c := &commit{records: map[uint64][]byte{}, nodes: map[string][]byte{}}
	// Data first: seal and write out the caches, and make the objects
	// durable before any metadata points at them.
	for _, in := range fs.touched {
		if err := in.flush(); err != nil {
			fs.report(fmt.Errorf("sefs: writing out %s: %w", in.path(), err))
			return err
		}
	}
	if err := fs.syncData(); err != nil {
		return err
	}
	if fs.created && !fs.opts.NoSync {
		if err := fs.storage.Sync(); err != nil {
			return err
		}
	}
	hashes := map[uint64][32]byte{}
	for _, in := range fs.touched {
		depth, root := in.depth, in.root
		if in.tree != nil {
			if in.tree.resetting() {
				c.removeNodes = append(c.removeNodes, in.ino)
			}
			in.tree.commit(c.nodes)
			depth, root = in.tree.depth, in.tree.root
		}
		sealed := fs.keys.sealRecord(fs.sb.layerID[:], in.ino, in.encode(depth, root), fs.opts.Deterministic)
		c.records[in.ino] = sealed
		hashes[in.ino] = sha256.Sum256(sealed)
	}
	for ino := range fs.removed {
		c.records[ino] = nil
		c.removeNodes = append(c.removeNodes, ino)
	}
	// The inode root over the new record hashes (the old ones are put
	// back if the commit fails).
	old := map[uint64][32]byte{}
	for ino, h := range hashes {
		in := fs.inodes[ino]
		old[ino] = in.recHash
		in.recHash = h
		fs.dirtyG[ino/groupSize] = true
	}
	sb := fs.sb
	sb.version++
	sb.inodeRoot = fs.inodeRoot()
	c.super = sb.encode(fs.keys)
	if err := fs.store.apply(c); err != nil {
		for ino, h := range old {
			fs.inodes[ino].recHash = h
			fs.dirtyG[ino/groupSize] = true
		}
		fs.report(fmt.Errorf("sefs: commit: %w", err))
		return err
	}
	fs.sb = sb
	fs.created = false
	for ino, in := range fs.touched {
		in.committed()
		delete(fs.touched, ino)
	}
	for ino, in := range fs.removed {
		in.removeObjects()
		delete(fs.removed, ino)
	}
	return nil
}
