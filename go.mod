module github.com/occlumgo/occlum

go 1.26.8

require (
	github.com/google/wire v0.7.0
	github.com/tetratelabs/wazero v1.12.0
	go.uber.org/zap v1.28.0
	golang.org/x/sys v0.44.0
)

require (
	github.com/stretchr/testify v1.11.1 // indirect
	go.uber.org/multierr v1.10.0 // indirect
)
