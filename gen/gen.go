// Package gen holds generated code and its inputs: the google/wire
// injectors that compose a LibOS from provider sets (wire.go, with
// wire_gen.go generated beside it). Run `go generate ./...` after changing
// wire.go; CI checks that the result is committed.
//
// A custom LibOS build (other mount types, extra syscall families) writes
// its own injector in the same way, from libos.CoreSet plus its own
// providers of libos.MountTypeSet and libos.Families.
package gen

//go:generate go run -mod=mod github.com/google/wire/cmd/wire gen .
