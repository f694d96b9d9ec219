package instance

import "errors"

// Kinds of Error, for errors.Is.
var (
	ErrNotInstance     = errors.New("not an instance")
	ErrAlreadyInstance = errors.New("already an instance")
	ErrNotEmpty        = errors.New("directory not empty")
	ErrNotBuilt        = errors.New("not built")
	ErrConfigChanged   = errors.New("Occlum.json changed after build")
	ErrImageChanged    = errors.New("image changed after build")
	ErrLibOSChanged    = errors.New("LibOS binary changed after build")
	ErrBadSignature    = errors.New("signature invalid")
	ErrTampered        = errors.New("build artifacts tampered with")
	ErrSignKey         = errors.New("unusable signing key")
	ErrLibOSBinary     = errors.New("unusable LibOS binary")
	ErrUntrustedSigner = errors.New("build not signed by the trusted signer")
)

// Error is a refusal with a one-line message and, where it helps, a hint.
type Error struct {
	Kind error  // one of the Err* values
	Msg  string // one line
	Hint string // what to do; may be empty
	Err  error  // the underlying error, if any
}

func (e *Error) Error() string { return e.Msg }

// Is reports whether target is e's Kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
