package nonlocal

import "context"

// Cached reports how many idle functions the State in ctx keeps.
func Cached(ctx context.Context) int { return stateFrom(ctx).cached }
