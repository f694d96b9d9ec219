package hashfs

import (
	"container/list"
	"sync"
)

// cache keeps verified file contents by SHA-256, least recently used out
// first, up to limit bytes. Identical files share one copy. Slices handed
// out are never written.
type cache struct {
	limit int64

	mu    sync.Mutex // guards the fields below
	used  int64
	lru   *list.List // of *cacheEntry, most recent at the front
	byKey map[[32]byte]*list.Element
}

type cacheEntry struct {
	key  [32]byte
	data []byte
}

func newCache(limit int64) *cache {
	return &cache{limit: limit, lru: list.New(), byKey: map[[32]byte]*list.Element{}}
}

func (c *cache) get(key [32]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).data, true
}

// put adds data unless it is larger than the whole cache, evicting the least
// recently used entries to make room.
func (c *cache) put(key [32]byte, data []byte) {
	size := int64(len(data))
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(el)
		return
	}
	for c.used+size > c.limit {
		old := c.lru.Back()
		ce := old.Value.(*cacheEntry)
		c.lru.Remove(old)
		delete(c.byKey, ce.key)
		c.used -= int64(len(ce.data))
	}
	c.byKey[key] = c.lru.PushFront(&cacheEntry{key: key, data: data})
	c.used += size
}
