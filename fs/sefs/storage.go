package sefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
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

// SyncAller is implemented by storages that can make everything written
// durable at once, cheaper than an fdatasync per object when a commit
// touches many (syncfs on a host directory).
type SyncAller interface {
	SyncAll() error
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

// SyncAll implements SyncAller: syncfs(2) on the layer's file system.
func (d *DirStorage) SyncAll() error {
	f, err := os.Open(d.dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

// OpenDir mounts the layer in the host directory dir. A writable layer
// (not opts.ReadOnly) is made there, empty, if dir does not exist or holds
// nothing; a directory that holds objects but no metadata database is an
// error (a layer lost its metadata: never silently replaced).
func OpenDir(dir string, opts Options) (*FileSystem, error) {
	ents, err := os.ReadDir(dir)
	fresh := errors.Is(err, fs.ErrNotExist)
	if err != nil && !fresh {
		st, serr := os.Stat(dir)
		if serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("sefs: the layer %s is not a directory", dir)
		}
		return nil, fmt.Errorf("sefs: the layer %s: %w", dir, err)
	}
	if !fresh {
		fresh = len(ents) == 0
		hasDB := false
		for _, e := range ents {
			if e.Name() == MetaFile {
				hasDB = true
			}
		}
		if !hasDB && !fresh {
			objs, _ := os.ReadDir(filepath.Join(dir, "objects"))
			if len(objs) > 0 {
				return nil, fmt.Errorf("sefs: the layer %s has objects but no %s: its metadata was lost or removed", dir, MetaFile)
			}
			fresh = true
		}
	}
	if fresh && opts.ReadOnly {
		return nil, fmt.Errorf("sefs: the layer %s does not exist", dir)
	}
	st, err := NewDirStorage(dir, fresh)
	if err != nil {
		return nil, fmt.Errorf("sefs: the layer %s: %w", dir, err)
	}
	if fresh {
		return Create(st, opts)
	}
	l, err := Mount(st, opts)
	if errors.Is(err, ErrNoLayer) && !opts.ReadOnly {
		// Made, but killed before its first commit: nothing was kept.
		if objs, _ := st.List(); len(objs) == 0 {
			return Create(st, opts)
		}
	}
	return l, err
}
