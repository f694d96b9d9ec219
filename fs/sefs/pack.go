package sefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/occlumgo/occlum/core/vfs"
)

// PackOptions configure Pack.
type PackOptions struct {
	// Mode and Key as for a layer: Integrity (no key) or Encrypted.
	Mode Mode
	Key  []byte
	// Time is the time every packed inode gets (nanoseconds since the
	// epoch): the same source gives the same root whatever its files'
	// times are (as SOURCE_DATE_EPOCH for reproducible builds).
	Time int64
	// Warn, if set, receives what was left out (sockets, devices).
	Warn func(string)
}

// PackStats is what Pack wrote.
type PackStats struct {
	Files, Dirs, Symlinks, Links int
	Bytes                        int64
}

// Pack writes the tree at src into a new, read-only image layer in
// storage and returns its root, which the signed measurement pins.
// Packing is deterministic: the same tree (names, contents, permission
// bits, symbolic links, hard links) and key give the same root, whatever
// the host's times, owners or readdir order. Ownership becomes root's.
func Pack(src string, storage Storage, opts PackOptions) ([32]byte, PackStats, error) {
	var stats PackStats
	t := opts.Time
	// Not durable: the image is made again from image/ if a crash loses
	// it (and a lost block is found at its read, never used).
	layer, err := Create(storage, Options{Mode: opts.Mode, Key: opts.Key, Deterministic: true,
		CommitInterval: -1, CacheSize: 64 << 20, NoSync: true, Now: func() int64 { return t }})
	if err != nil {
		return [32]byte{}, stats, err
	}
	p := &packer{layer: layer, stats: &stats, links: map[[2]uint64]vfs.Inode{}, warn: opts.Warn,
		buf: make([]byte, 1<<20)}
	if p.warn == nil {
		p.warn = func(string) {}
	}
	st, err := os.Lstat(src)
	switch {
	case err != nil:
		err = fmt.Errorf("the image: %w", err)
	case !st.IsDir():
		err = fmt.Errorf("the image %s is not a directory", src)
	default:
		root := layer.Root()
		if e := root.SetAttr(vfs.SetAttr{Mask: vfs.SetMode | vfs.SetAtime | vfs.SetMtime,
			Mode: uint32(st.Mode().Perm()) | setBits(st.Mode()), Atime: t, Mtime: t}); e != 0 {
			err = e
		} else {
			err = p.dir(src, root)
		}
	}
	if err != nil {
		layer.Close()
		return [32]byte{}, stats, err
	}
	if e := layer.Sync(); e != 0 {
		layer.Close()
		return [32]byte{}, stats, fmt.Errorf("writing the image layer: %w", e)
	}
	rootHash := layer.LayerRoot()
	if err := layer.Close(); err != nil {
		return [32]byte{}, stats, err
	}
	return rootHash, stats, nil
}

type packer struct {
	layer *FileSystem
	stats *PackStats
	links map[[2]uint64]vfs.Inode // hard links: (dev, ino) -> packed inode
	warn  func(string)
	buf   []byte
}

func setBits(m fs.FileMode) uint32 {
	var b uint32
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

func (p *packer) dir(hostDir string, dir vfs.Inode) error {
	ents, err := os.ReadDir(hostDir)
	if err != nil {
		return err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	t := p.layer.opts.Now()
	for _, ent := range ents {
		name := ent.Name()
		hp := filepath.Join(hostDir, name)
		if !validName(name) {
			return fmt.Errorf("%s: a name the LibOS cannot hold", hp)
		}
		st, err := os.Lstat(hp)
		if err != nil {
			return err
		}
		mode := uint32(st.Mode().Perm()) | setBits(st.Mode())
		attrs := vfs.SetAttr{Mask: vfs.SetMode | vfs.SetAtime | vfs.SetMtime, Mode: mode, Atime: t, Mtime: t}
		switch {
		case st.IsDir():
			if e := dir.Mkdir(name, mode); e != 0 {
				return fmt.Errorf("%s: %w", hp, e)
			}
			sub, _ := dir.Lookup(name)
			if err := p.dir(hp, sub); err != nil {
				return err
			}
			if e := sub.SetAttr(attrs); e != 0 {
				return fmt.Errorf("%s: %w", hp, e)
			}
			p.stats.Dirs++
		case st.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(hp)
			if err != nil {
				return err
			}
			if e := dir.Symlink(name, target); e != 0 {
				return fmt.Errorf("%s: %w", hp, e)
			}
			p.stats.Symlinks++
		case st.Mode().IsRegular():
			sys, _ := st.Sys().(*syscall.Stat_t)
			if sys != nil && sys.Nlink > 1 {
				key := [2]uint64{uint64(sys.Dev), sys.Ino}
				if first := p.links[key]; first != nil {
					if e := dir.Link(name, first); e != 0 {
						return fmt.Errorf("%s: %w", hp, e)
					}
					p.stats.Links++
					continue
				}
			}
			in, e := dir.Create(name, mode)
			if e != 0 {
				return fmt.Errorf("%s: %w", hp, e)
			}
			if err := p.copy(hp, in); err != nil {
				return fmt.Errorf("%s: %w", hp, err)
			}
			if e := in.SetAttr(attrs); e != 0 {
				return fmt.Errorf("%s: %w", hp, e)
			}
			if sys != nil && sys.Nlink > 1 {
				p.links[[2]uint64{uint64(sys.Dev), sys.Ino}] = in
			}
			p.stats.Files++
		default:
			p.warn(fmt.Sprintf("%s: a %s cannot be part of an image; left out", hp, st.Mode().Type()))
		}
	}
	return nil
}

// copy streams a host file into in, never holding it whole.
func (p *packer) copy(hostPath string, in vfs.Inode) error {
	f, err := os.OpenFile(hostPath, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	out, e := in.Open(vfs.O_WRONLY)
	if e != 0 {
		return e
	}
	defer out.Close()
	var off int64
	for {
		n, err := f.Read(p.buf)
		if n > 0 {
			if _, e := out.WriteAt(p.buf[:n], off); e != 0 {
				return e
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	p.stats.Bytes += off
	return nil
}
