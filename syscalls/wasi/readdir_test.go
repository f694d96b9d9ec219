package wasi_test

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

type dirent struct {
	next     uint64
	ino      uint64
	name     string
	filetype uint8
}

// parseDirents decodes the complete records of b and reports whether a
// partial one followed.
func parseDirents(b []byte) (out []dirent, partial bool) {
	le := binary.LittleEndian
	for len(b) > 0 {
		if len(b) < 24 {
			return out, true
		}
		n := int(le.Uint32(b[16:]))
		if len(b) < 24+n {
			return out, true
		}
		out = append(out, dirent{le.Uint64(b), le.Uint64(b[8:]), string(b[24 : 24+n]), b[20]})
		b = b[24+n:]
	}
	return out, false
}

func readdir(t *testing.T, env *wasitest.Env, fd uint64, bufLen uint32, cookie uint64) ([]dirent, bool, uint32) {
	t.Helper()
	expect(t, "fd_readdir", env.Call(t, "fd_readdir", fd, buf, uint64(bufLen), cookie, result), eSUCCESS)
	used := env.U32(t, result)
	if used > bufLen {
		t.Fatalf("bufused %d > buf_len %d", used, bufLen)
	}
	ents, partial := parseDirents(env.Get(t, buf, used))
	return ents, partial, used
}

func names(ents []dirent) []string {
	var out []string
	for _, e := range ents {
		out = append(out, e.name)
	}
	return out
}

func TestFdReaddir(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	st, _ := env.Kernel.VFS.Stat("/d", false)

	ents, partial, used := readdir(t, env, fdDir, 4096, 0)
	want := []dirent{
		{1, st.Ino, ".", ftDirectory},
		{2, 0, "..", ftDirectory},
		{3, 0, "a", ftRegularFile},
		{4, 0, "sub", ftDirectory},
	}
	for i := range ents {
		if i >= 1 {
			ents[i].ino = 0 // ".." is the parent's; the rest are the files'
		}
	}
	if partial || !reflect.DeepEqual(ents, want) {
		t.Fatalf("fd_readdir = %+v (partial %v), want %+v", ents, partial, want)
	}
	if used != 4*24+1+2+1+3 {
		t.Errorf("bufused = %d", used)
	}

	// Paging: a cookie resumes after the entry that returned it.
	ents, _, _ = readdir(t, env, fdDir, 4096, 2)
	if got := names(ents); !reflect.DeepEqual(got, []string{"a", "sub"}) || ents[0].next != 3 {
		t.Errorf("from cookie 2: %+v", ents)
	}
	if ents, _, used := readdir(t, env, fdDir, 4096, 4); len(ents) != 0 || used != 0 {
		t.Errorf("at end: %+v, bufused %d", ents, used)
	}
	if _, _, used := readdir(t, env, fdDir, 4096, 1<<40); used != 0 {
		t.Errorf("past end: bufused %d", used)
	}
	if _, _, used := readdir(t, env, fdDir, 0, 0); used != 0 {
		t.Errorf("empty buffer: bufused %d", used)
	}

	// The listing is a snapshot taken at cookie 0: a new entry shows up
	// only after a rewind.
	env.WriteFile(t, "/d/b", "")
	if ents, _, _ := readdir(t, env, fdDir, 4096, 2); !reflect.DeepEqual(names(ents), []string{"a", "sub"}) {
		t.Errorf("paging after create: %v", names(ents))
	}
	if ents, _, _ := readdir(t, env, fdDir, 4096, 0); !reflect.DeepEqual(names(ents), []string{".", "..", "a", "b", "sub"}) {
		t.Errorf("rewind after create: %v", names(ents))
	}

	expect(t, "file", env.Call(t, "fd_readdir", fdFile, buf, 100, 0, result), eNOTDIR)
	expect(t, "stream", env.Call(t, "fd_readdir", fdStdout, buf, 100, 0, result), eNOTDIR)
	expect(t, "closed", env.Call(t, "fd_readdir", fdClosed, buf, 100, 0, result), eBADF)
}

// TestFdReaddirSmallBuffer reads a directory as wasi-libc's readdir does:
// a full buffer ending in a partial record means "retry from the last
// complete record's cookie, with a larger buffer if none fit".
func TestFdReaddirSmallBuffer(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	var want []string
	for _, n := range []string{"x", "yy", "a-rather-long-file-name"} {
		env.WriteFile(t, "/empty/"+n, "")
	}
	want = []string{".", "..", "a-rather-long-file-name", "x", "yy"}
	fd := uint64(env.Open(t, "/empty", 0))

	// 24+1 bytes fit "." exactly, then 5 bytes of ".."'s header.
	ents, partial, used := readdir(t, env, fd, 30, 0)
	if !reflect.DeepEqual(names(ents), []string{"."}) || !partial || used != 30 {
		t.Fatalf("30-byte buffer: %v partial=%v bufused=%d", names(ents), partial, used)
	}

	var got []string
	cookie, size := uint64(0), uint32(30)
	for rounds := 0; rounds < 100; rounds++ {
		ents, partial, used := readdir(t, env, fd, size, cookie)
		for _, e := range ents {
			got = append(got, e.name)
			cookie = e.next
		}
		if used < size {
			if partial {
				t.Fatalf("partial record in a buffer that was not filled")
			}
			break
		}
		if len(ents) == 0 {
			size *= 2 // not even one record fits
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paged listing = %v, want %v", got, want)
	}
}
