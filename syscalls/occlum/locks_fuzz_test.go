package occlum

import (
	"math"
	"testing"

	"github.com/occlumgo/occlum/core/locks"
)

// FuzzLockRange: l_start and l_len of a guest's struct flock, from any
// base, give EINVAL or a range inside [0, locks.End] that is not empty;
// never a panic or a wrapped-around range.
func FuzzLockRange(f *testing.F) {
	for _, s := range [][3]int64{{0, 0, 0}, {0, 10, -5}, {100, -2, 1}, {0, -1, 1}, {0, math.MaxInt64, 1},
		{math.MaxInt64, 1, 0}, {0, math.MinInt64, -1}, {5, 0, math.MinInt64}, {0, 1, math.MaxInt64}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, base, start, length int64) {
		if base < 0 {
			base = -(base + 1) // a file offset or size is never negative
		}
		r, e := lockRange(base, start, length)
		if e != 0 {
			return
		}
		if r.Start < 0 || r.End < r.Start || r.End > locks.End {
			t.Fatalf("lockRange(%d, %d, %d) = %+v", base, start, length, r)
		}
		if length > 0 && r.End != locks.End && r.End-r.Start+1 != length {
			t.Fatalf("lockRange(%d, %d, %d) = %+v: not %d bytes", base, start, length, r, length)
		}
	})
}
