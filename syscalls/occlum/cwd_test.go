package occlum

import (
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// cwd returns getcwd's answer, checking the NUL after it.
func cwd(t *testing.T, env *wasitest.Env) string {
	t.Helper()
	want(t, env, wSUCCESS, "getcwd", buf, 256, res)
	n := env.U32(t, res)
	b := env.Get(t, buf, n+1)
	if b[n] != 0 {
		t.Errorf("getcwd wrote no NUL")
	}
	return string(b[:n])
}

func TestChdir(t *testing.T) {
	env := occlumEnv(t)
	for _, step := range []struct{ path, want string }{
		{"/d", "/d"}, {"sub", "/d/sub"}, {"..", "/d"}, {"../..", "/"}, {"d/sub/", "/d/sub"}, {"/", "/"},
	} {
		p, n := env.PutString(t, pathA, step.path)
		want(t, env, wSUCCESS, "chdir", p, n)
		if got := cwd(t, env); got != step.want {
			t.Errorf("chdir %q: cwd %q, want %q", step.path, got, step.want)
		}
	}
	// Relative opens follow it (wasi-libc resolves them itself; the
	// process's own resolution, used by spawn, does).
	p, n := env.PutString(t, pathA, "/d")
	want(t, env, wSUCCESS, "chdir", p, n)
	if _, e := env.Proc.Open("sub", vfs.O_RDONLY|vfs.O_DIRECTORY, 0); e != 0 {
		t.Errorf("open relative to the new cwd: %v", e)
	}

	for _, tc := range []struct {
		path string
		e    uint32
	}{
		{"/nope", wNOENT}, {"", wNOENT}, {"/f", wNOTDIR}, {"/f/x", wNOTDIR},
		{"a\x00b", wINVAL}, {strings.Repeat("a", 4096), wNAMETOOLONG},
	} {
		p, n := env.PutString(t, buf, tc.path)
		want(t, env, tc.e, "chdir", p, n)
	}
	want(t, env, wFAULT, "chdir", wild, 1)
	want(t, env, wFAULT, "chdir", memSize-1, 2)
	if got := cwd(t, env); got != "/d" {
		t.Errorf("failed chdir moved the cwd to %q", got)
	}
}

func TestFchdir(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "fchdir", fdDir)
	if got := cwd(t, env); got != "/d" {
		t.Errorf("cwd = %q", got)
	}
	want(t, env, wSUCCESS, "fchdir", 3) // the preopen "/"
	if got := cwd(t, env); got != "/" {
		t.Errorf("cwd = %q", got)
	}
	r, w := pipe.New(0)
	w.Close()
	fdPipe := env.Install(t, vfs.NewFile(r, vfs.Dentry{}, vfs.O_RDONLY))
	want(t, env, wNOTDIR, "fchdir", fdFile)
	want(t, env, wNOTDIR, "fchdir", 0)
	want(t, env, wNOTDIR, "fchdir", uint64(fdPipe))
	want(t, env, wBADF, "fchdir", fdClosed)
	want(t, env, wBADF, "fchdir", 0xffffffff)
	if got := cwd(t, env); got != "/" {
		t.Errorf("failed fchdir moved the cwd to %q", got)
	}
}

func TestGetcwd(t *testing.T) {
	env := occlumEnv(t)
	p, l := env.PutString(t, pathA, "/d/sub")
	want(t, env, wSUCCESS, "chdir", p, l)
	const n = uint64(len("/d/sub"))
	env.Put(t, buf, []byte(strings.Repeat("x", 16)))
	want(t, env, wSUCCESS, "getcwd", buf, n+1, res)
	if got := string(env.Get(t, buf, 16)); got != "/d/sub\x00xxxxxxxxx" || uint64(env.U32(t, res)) != n {
		t.Errorf("getcwd = %q, len %d", got, env.U32(t, res))
	}
	want(t, env, wSUCCESS, "getcwd", memSize-(n+1), n+1, res) // at the very end
	before := env.Snapshot()
	want(t, env, wRANGE, "getcwd", buf, n, res)
	want(t, env, wRANGE, "getcwd", buf, 0, res)
	want(t, env, wFAULT, "getcwd", wild, 100, res)
	want(t, env, wFAULT, "getcwd", memSize-10, 100, res)
	want(t, env, wFAULT, "getcwd", buf, 100, wild)
	want(t, env, wFAULT, "getcwd", buf, 100, memSize-3)
	unchanged(t, env, before, "failed getcwd")
}

func TestUmask(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "umask", 0o027, res)
	if old := env.U32(t, res); old != 0o022 {
		t.Errorf("umask old = %#o", old)
	}
	want(t, env, wSUCCESS, "umask", 0o7777, res)
	if old := env.U32(t, res); old != 0o027 {
		t.Errorf("umask old = %#o", old)
	}
	if m := env.Proc.Umask(); m != 0o777 {
		t.Errorf("umask = %#o, want 0777 (only permission bits)", m)
	}
	want(t, env, wFAULT, "umask", 0, wild)
	want(t, env, wFAULT, "umask", 0, memSize-2)
	if m := env.Proc.Umask(); m != 0o777 {
		t.Errorf("failed umask changed the mask to %#o", m)
	}
}
