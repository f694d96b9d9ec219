package hashfs

import (
	"fmt"
	"strings"

	"github.com/occlumgo/occlum/core/vfs"
)

// ChangeError reports the first difference between an image directory and
// the manifest built from it.
type ChangeError struct {
	// Path is the host path of the changed entry, such as
	// "image/bin/hello".
	Path string
	// Change is "modified after build", "added after build" or "removed
	// after build".
	Change string
	// Detail says what differs, such as "size 12, built with 10"; may be "".
	Detail string
}

func (e *ChangeError) Error() string {
	s := e.Path + ": " + e.Change
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Check compares imageDir with the manifest using only directory listings,
// Lstat and Readlink: names, types, permission bits, file sizes and link
// targets. It returns a *ChangeError for the first differing path in
// canonical order, or another error if imageDir cannot be read.
//
// Check does not read file contents, and the manifest records no
// modification times, on purpose: times are set freely by whoever controls
// the host (touch -d), so "hash only what has a new mtime" would not be
// sound, and hashing every file is what Verify does. A same-size content
// change passes Check; it cannot pass hashfs, which verifies every file's
// SHA-256 when it is opened and fails with EIO. Check is the fast, early,
// clear refusal for the common case (a file rebuilt, added or removed after
// `occlum build`); the integrity guarantee is the hash check at Open.
func (m *Manifest) Check(imageDir string) error {
	return m.compare(imageDir, false)
}

// Verify is Check plus a comparison of every regular file's SHA-256: it
// reads the whole image.
func (m *Manifest) Verify(imageDir string) error {
	return m.compare(imageDir, true)
}

func (m *Manifest) compare(imageDir string, hash bool) error {
	disk, err := scan(imageDir, hash)
	if err != nil {
		return err
	}
	want := m.entries
	i, j := 0, 0
	for i < len(want) || j < len(disk) {
		var c int
		switch {
		case i == len(want):
			c = 1
		case j == len(disk):
			c = -1
		default:
			c = strings.Compare(want[i].Path, disk[j].Path)
		}
		switch {
		case c < 0:
			return &ChangeError{Path: display(imageDir, want[i].Path), Change: "removed after build"}
		case c > 0:
			return &ChangeError{Path: display(imageDir, disk[j].Path), Change: "added after build"}
		}
		if d := diff(want[i], disk[j], hash); d != "" {
			return &ChangeError{Path: display(imageDir, want[i].Path), Change: "modified after build", Detail: d}
		}
		i++
		j++
	}
	return nil
}

// diff describes how got differs from the manifest entry w, or "".
func diff(w, got Entry, hash bool) string {
	switch {
	case w.Type != got.Type:
		return fmt.Sprintf("%v, built as %v", got.Type, w.Type)
	case w.Perm != got.Perm:
		return fmt.Sprintf("mode %04o, built with %04o", got.Perm, w.Perm)
	case w.Type == vfs.TypeRegular && w.Size != got.Size:
		return fmt.Sprintf("size %d, built with %d", got.Size, w.Size)
	case w.Type == vfs.TypeRegular && hash && w.SHA256 != got.SHA256:
		return "content hash differs"
	case w.Type == vfs.TypeSymlink && w.Target != got.Target:
		return fmt.Sprintf("link to %q, built as %q", got.Target, w.Target)
	}
	return ""
}
