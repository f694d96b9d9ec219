package sefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Storage is the host side of a layer: objects (the files' blocks) and the
// metadata database. It is untrusted: everything read from it is checked,
// and it only ever holds sealed or hashed data. Object names are the
// layer's own (hex and '-', see keys.objectName), never a guest's.
type Storage interface {
	// Open opens the object called name, creating it if create is set.
	//
	// # Errors
	//   - fs.ErrNotExist: no such object and create is not set.
	Open(name string, create bool) (Object, error)
	// Remove removes an object; a missing one is not an error.
	Remove(name string) error
	// List lists the objects.
	List() ([]string, error)
	// MetaPath is the path of the metadata database (bbolt maps a file).
	MetaPath() string
	// Sync makes created and removed objects durable.
	Sync() error
}

// Object is one host object.
type Object interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Truncate(size int64) error
	Sync() error
	Close() error
}

// DirStorage keeps a layer in a host directory: the metadata database
// "sefs.db" and one object file per name under "objects/".
type DirStorage struct {
	dir string
}

// MetaFile is the name of the metadata database in a layer directory.
const MetaFile = "sefs.db"

// NewDirStorage returns the storage of the layer in dir, creating dir if
// create is set.
func NewDirStorage(dir string, create bool) (*DirStorage, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o700); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	default:
		if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o700); err != nil {
			return nil, err
		}
	}
	return &DirStorage{dir: dir}, nil
}

func validObjectName(name string) bool {
	return name != "" && len(name) <= 64 && strings.Trim(name, "0123456789abcdef-.") == ""
}

func (d *DirStorage) path(name string) (string, error) {
	if !validObjectName(name) {
		return "", fmt.Errorf("sefs: bad object name %q", name)
	}
	return filepath.Join(d.dir, "objects", name), nil
}

// Open implements Storage.
func (d *DirStorage) Open(name string, create bool) (Object, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	flags := os.O_RDWR
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(p, flags, 0o600)
	if err != nil && create == false && errors.Is(err, fs.ErrPermission) {
		f, err = os.OpenFile(p, os.O_RDONLY, 0) // a read-only layer
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Remove implements Storage.
func (d *DirStorage) Remove(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List implements Storage.
func (d *DirStorage) List() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(d.dir, "objects"))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out, nil
}

// MetaPath implements Storage.
func (d *DirStorage) MetaPath() string { return filepath.Join(d.dir, MetaFile) }

// Sync implements Storage.
func (d *DirStorage) Sync() error {
	for _, p := range []string{filepath.Join(d.dir, "objects"), d.dir} {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
