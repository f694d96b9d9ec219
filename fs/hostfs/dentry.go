package hostfs

import (
	"sync"
	"time"
)

// dentryCache remembers recent lookups, so that resolving a path costs no
// host call per component it walked recently: per-call cost does not grow
// with depth (vfs resolves every path from its root, one lookup per
// component). An entry is trusted for dentryTTL, as FUSE trusts its
// entries for entry_timeout: a change the host makes meanwhile is seen
// when it expires (a directory the LibOS already holds it reaches through
// its handle anyway); every change made through this mount forgets the
// names it touches at once. Cached inodes passed every check when they
// were looked up, and protected identities never enter the cache.
//
// Lock order: dentryCache.mu is a leaf.
type dentryCache struct {
	mu      sync.Mutex
	entries map[nameKey]dentry
}

type dentry struct {
	in *inode
	at time.Time
}

const (
	dentryTTL   = 200 * time.Millisecond
	maxDentries = 4096
)

func (f *FileSystem) cached(dir identity, name string) *inode {
	c := &f.dentries
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.entries[nameKey{dir, name}]
	if !ok {
		return nil
	}
	if time.Since(d.at) > dentryTTL {
		delete(c.entries, nameKey{dir, name})
		return nil
	}
	return d.in
}

func (f *FileSystem) remember(dir identity, name string, in *inode) {
	c := &f.dentries
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[nameKey]dentry{}
	}
	if len(c.entries) >= maxDentries {
		now := time.Now()
		for k, d := range c.entries {
			if now.Sub(d.at) > dentryTTL || len(c.entries) >= maxDentries {
				delete(c.entries, k)
			}
		}
	}
	c.entries[nameKey{dir, name}] = dentry{in, time.Now()}
}

// forget drops the entry of name in dir, before a change through this
// mount makes it stale. The children of a renamed directory are cached by
// its identity, which the rename does not change; a removed directory has
// no children left.
func (f *FileSystem) forget(dir identity, name string) {
	c := &f.dentries
	c.mu.Lock()
	delete(c.entries, nameKey{dir, name})
	c.mu.Unlock()
}
