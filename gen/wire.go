//go:build wireinject

package gen

import (
	"context"

	"github.com/google/wire"

	"github.com/occlumgo/occlum/libos"
)

// NewLibOS builds the default LibOS: every mount type, WASI preview 1, the
// platform given in the options.
func NewLibOS(ctx context.Context, o libos.Options) (*libos.LibOS, func(), error) {
	wire.Build(libos.DefaultSet)
	return nil, nil, nil
}
