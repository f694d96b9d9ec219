package hashfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/occlumgo/occlum/core/vfs"
)

// MaxFileSize is the largest regular file an image may hold. Files are
// verified and served whole from memory, so this is a memory bound, not a
// format limit.
const MaxFileSize = 1 << 32

// manifestHeader is the first line of every manifest.
const manifestHeader = "occlum-hashfs-manifest v1"

// Entry is one file of a Manifest.
type Entry struct {
	// Path is "/" for the image root, else "/a/b": slash-separated, no
	// empty, "." or ".." components, no trailing slash.
	Path string
	// Type is TypeDirectory, TypeRegular or TypeSymlink.
	Type vfs.FileType
	// Perm is the permission bits (with setuid/setgid/sticky), <= 0o7777.
	Perm uint32
	// Size is the length of a regular file's content; 0 otherwise.
	Size int64
	// SHA256 is the hash of a regular file's content; zero otherwise.
	SHA256 [32]byte
	// Target is a symbolic link's target, verbatim; "" otherwise.
	Target string
}

// Manifest describes an image tree: every entry with its type, permission
// bits, and the size and SHA-256 of file contents. It is immutable.
//
// Canonical encoding (Marshal; ParseManifest accepts nothing else): UTF-8
// text, "\n" after every line, no other whitespace than one space between
// fields.
//
//	occlum-hashfs-manifest v1
//	dir <perm> <path>
//	file <perm> <size> <sha256> <path>
//	symlink <perm> <path> <target>
//	end <number of entry lines>
//
// <perm> is exactly four octal digits; <size> is decimal without leading
// zeros; <sha256> is 64 lowercase hex digits; <path> and <target> are Go
// double-quoted strings exactly as strconv.Quote writes them. Entries are
// sorted by path (bytewise, strictly increasing, so no duplicates), the
// first is the root directory "/", and every other entry's parent is an
// earlier dir entry. RootHash is the SHA-256 of this encoding.
type Manifest struct {
	entries []Entry
}

// Entries returns a copy of the entries, in canonical order.
func (m *Manifest) Entries() []Entry { return slices.Clone(m.entries) }

// Len returns the number of entries, the root included.
func (m *Manifest) Len() int { return len(m.entries) }

// Marshal returns the canonical encoding.
func (m *Manifest) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(manifestHeader + "\n")
	for _, e := range m.entries {
		switch e.Type {
		case vfs.TypeDirectory:
			fmt.Fprintf(&b, "dir %04o %s\n", e.Perm, strconv.Quote(e.Path))
		case vfs.TypeRegular:
			fmt.Fprintf(&b, "file %04o %d %s %s\n", e.Perm, e.Size, hex.EncodeToString(e.SHA256[:]), strconv.Quote(e.Path))
		case vfs.TypeSymlink:
			fmt.Fprintf(&b, "symlink %04o %s %s\n", e.Perm, strconv.Quote(e.Path), strconv.Quote(e.Target))
		}
	}
	fmt.Fprintf(&b, "end %d\n", len(m.entries))
	return b.Bytes()
}

// RootHash returns the SHA-256 of the canonical encoding: the one value that
// measures the whole image.
func (m *Manifest) RootHash() [32]byte { return sha256.Sum256(m.Marshal()) }

// ParseManifest decodes a canonical encoding. Anything else (another
// version, a non-canonical number or quoting, unsorted or duplicate paths, a
// missing parent, a truncated file, trailing data) is an error that names the
// line.
func ParseManifest(data []byte) (*Manifest, error) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, errors.New("hashfs manifest: empty or not ending in a newline")
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	if lines[0] != manifestHeader {
		return nil, fmt.Errorf("hashfs manifest: line 1: want %q", manifestHeader)
	}
	m := &Manifest{}
	dirs := map[string]bool{}
	for i, line := range lines[1:] {
		ln := i + 2
		fail := func(format string, args ...any) error {
			return fmt.Errorf("hashfs manifest: line %d: %s", ln, fmt.Sprintf(format, args...))
		}
		if rest, ok := strings.CutPrefix(line, "end "); ok {
			n, err := parseDecimal(rest)
			if err != nil || n != int64(len(m.entries)) {
				return nil, fail("end count %q, want %d", rest, len(m.entries))
			}
			if ln != len(lines) {
				return nil, fail("data after end")
			}
			if len(m.entries) == 0 {
				return nil, fail("no root directory")
			}
			return m, nil
		}
		e, err := parseEntry(line)
		if err != nil {
			return nil, fail("%v", err)
		}
		if len(m.entries) == 0 {
			if e.Path != "/" || e.Type != vfs.TypeDirectory {
				return nil, fail("first entry must be dir \"/\"")
			}
		} else {
			if prev := m.entries[len(m.entries)-1].Path; e.Path <= prev {
				return nil, fail("path %q not after %q", e.Path, prev)
			}
			if !dirs[parentOf(e.Path)] {
				return nil, fail("parent of %q is not a directory listed before it", e.Path)
			}
		}
		if e.Type == vfs.TypeDirectory {
			dirs[e.Path] = true
		}
		m.entries = append(m.entries, e)
	}
	return nil, errors.New("hashfs manifest: truncated (no end line)")
}

// parseEntry decodes one entry line.
func parseEntry(line string) (Entry, error) {
	kind, rest, _ := strings.Cut(line, " ")
	var e Entry
	var fields []string
	var err error
	switch kind {
	case "dir":
		e.Type = vfs.TypeDirectory
		fields, rest, err = cutFields(rest, 1)
	case "file":
		e.Type = vfs.TypeRegular
		fields, rest, err = cutFields(rest, 3)
	case "symlink":
		e.Type = vfs.TypeSymlink
		fields, rest, err = cutFields(rest, 1)
	default:
		return e, fmt.Errorf("unknown entry kind %q", kind)
	}
	if err != nil {
		return e, err
	}
	if e.Perm, err = parsePerm(fields[0]); err != nil {
		return e, err
	}
	if e.Type == vfs.TypeRegular {
		if e.Size, err = parseDecimal(fields[1]); err != nil || e.Size > MaxFileSize {
			return e, fmt.Errorf("bad size %q", fields[1])
		}
		h := fields[2]
		if len(h) != 64 || strings.ToLower(h) != h {
			return e, fmt.Errorf("bad sha256 %q", h)
		}
		if _, err := hex.Decode(e.SHA256[:], []byte(h)); err != nil {
			return e, fmt.Errorf("bad sha256 %q", h)
		}
	}
	if e.Path, rest, err = cutQuoted(rest); err != nil {
		return e, fmt.Errorf("path: %v", err)
	}
	if err := checkPath(e.Path); err != nil {
		return e, err
	}
	if e.Type == vfs.TypeSymlink {
		if !strings.HasPrefix(rest, " ") {
			return e, errors.New("missing symlink target")
		}
		if e.Target, rest, err = cutQuoted(rest[1:]); err != nil {
			return e, fmt.Errorf("target: %v", err)
		}
		if err := checkTarget(e.Target); err != nil {
			return e, fmt.Errorf("%q: %v", e.Path, err)
		}
	}
	if rest != "" {
		return e, fmt.Errorf("trailing data %q", rest)
	}
	if e.Path == "/" && e.Type != vfs.TypeDirectory {
		return e, errors.New(`"/" must be a directory`)
	}
	return e, nil
}

// cutFields splits n space-terminated fields off s.
func cutFields(s string, n int) ([]string, string, error) {
	out := make([]string, n)
	for i := range out {
		f, rest, ok := strings.Cut(s, " ")
		if !ok || f == "" {
			return nil, "", errors.New("missing fields")
		}
		out[i], s = f, rest
	}
	return out, s, nil
}

// cutQuoted takes one canonically quoted string off the front of s.
func cutQuoted(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil || q[0] != '"' {
		return "", "", errors.New("not a quoted string")
	}
	v, err := strconv.Unquote(q)
	if err != nil || strconv.Quote(v) != q {
		return "", "", fmt.Errorf("non-canonical quoting %q", q)
	}
	return v, s[len(q):], nil
}

func parsePerm(s string) (uint32, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("bad permission bits %q", s)
	}
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("bad permission bits %q", s)
	}
	return uint32(v), nil
}

func parseDecimal(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || strconv.FormatInt(v, 10) != s {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return v, nil
}

// checkPath validates an entry path (see Entry.Path).
func checkPath(p string) error {
	if p == "/" {
		return nil
	}
	if !strings.HasPrefix(p, "/") || len(p) >= vfs.MaxPathLen {
		return fmt.Errorf("bad path %q", p)
	}
	for _, c := range strings.Split(p[1:], "/") {
		if err := checkName(c); err != nil {
			return fmt.Errorf("bad path %q: %v", p, err)
		}
	}
	return nil
}

func checkName(c string) error {
	switch {
	case c == "" || c == "." || c == "..":
		return fmt.Errorf("bad component %q", c)
	case len(c) > vfs.MaxNameLen:
		return errors.New("component too long")
	case strings.ContainsAny(c, "/\x00"):
		return fmt.Errorf("bad component %q", c)
	}
	return nil
}

func checkTarget(t string) error {
	if t == "" || len(t) >= vfs.MaxPathLen || strings.IndexByte(t, 0) >= 0 {
		return fmt.Errorf("bad symlink target %q", t)
	}
	return nil
}

func parentOf(p string) string {
	k := strings.LastIndexByte(p, '/')
	if k == 0 {
		return "/"
	}
	return p[:k]
}

// rel returns the path relative to the image directory, for os.Root.
func rel(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}

// BuildManifest walks imageDir without following symbolic links and
// describes it. A file that is not a directory, regular file or symbolic
// link, an unusable name or link target, or a file larger than MaxFileSize
// is an error naming its path.
func BuildManifest(imageDir string) (*Manifest, error) {
	entries, err := scan(imageDir, true)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		switch e.Type {
		case vfs.TypeDirectory, vfs.TypeRegular, vfs.TypeSymlink:
		default:
			return nil, fmt.Errorf("hashfs: %s: unsupported file type %v", display(imageDir, e.Path), e.Type)
		}
	}
	return &Manifest{entries: entries}, nil
}

// display returns the host path of an entry, for messages.
func display(imageDir, p string) string {
	return filepath.Join(imageDir, filepath.FromSlash(rel(p)))
}

// scan walks imageDir in canonical order. With hash it reads every regular
// file; without, Size comes from Lstat and SHA256 is zero. Files of other
// types are returned with their type, for the caller to reject.
func scan(imageDir string, hash bool) ([]Entry, error) {
	root, err := os.OpenRoot(imageDir)
	if err != nil {
		return nil, fmt.Errorf("hashfs: %w", err)
	}
	defer root.Close()
	var out []Entry
	var walk func(p string) error
	walk = func(p string) error {
		fail := func(err error) error { return fmt.Errorf("hashfs: %s: %w", display(imageDir, p), err) }
		if err := checkPath(p); err != nil {
			return fail(err)
		}
		fi, err := root.Lstat(rel(p))
		if err != nil {
			return fail(err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return fail(errors.New("no stat data"))
		}
		e := Entry{Path: p, Type: vfs.FileTypeFromMode(st.Mode), Perm: st.Mode & 0o7777}
		switch e.Type {
		case vfs.TypeDirectory:
			out = append(out, e)
			d, err := root.OpenFile(rel(p), os.O_RDONLY|syscall.O_DIRECTORY, 0)
			if err != nil {
				return fail(err)
			}
			names, err := d.Readdirnames(-1)
			d.Close()
			if err != nil {
				return fail(err)
			}
			slices.Sort(names) // for a deterministic walk; out is sorted at the end
			for _, n := range names {
				if err := checkName(n); err != nil {
					return fail(err)
				}
				c := p + "/" + n
				if p == "/" {
					c = "/" + n
				}
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		case vfs.TypeRegular:
			e.Size = st.Size
			if hash {
				if e.Size, e.SHA256, err = hashFile(root, rel(p)); err != nil {
					return fail(err)
				}
			}
			if e.Size > MaxFileSize {
				return fail(fmt.Errorf("larger than %d bytes", int64(MaxFileSize)))
			}
		case vfs.TypeSymlink:
			if e.Target, err = root.Readlink(rel(p)); err != nil {
				return fail(err)
			}
			if err := checkTarget(e.Target); err != nil {
				return fail(err)
			}
		}
		out = append(out, e)
		return nil
	}
	if err := walk("/"); err != nil {
		return nil, err
	}
	if out[0].Type != vfs.TypeDirectory {
		return nil, fmt.Errorf("hashfs: %s: not a directory", imageDir)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// hashFile reads a regular file through root and returns its length and
// SHA-256.
func hashFile(root *os.Root, name string) (int64, [32]byte, error) {
	var sum [32]byte
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, sum, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return 0, sum, errors.New("not a regular file")
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return 0, sum, err
	}
	h.Sum(sum[:0])
	return n, sum, nil
}
