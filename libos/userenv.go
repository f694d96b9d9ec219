package libos

import (
	"strings"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// DefaultPath is the PATH a program gets unless the configuration sets one.
const DefaultPath = "/usr/local/bin:/usr/bin:/bin"

// maxPasswd bounds how much of /etc/passwd is read.
const maxPasswd = 1 << 20

// UserEnvironment completes env (the configured environment, Occlum.json's
// env.default and the host's allowed variables) with what a program
// expects of a login as root, for the names env does not set: HOME, USER,
// LOGNAME and SHELL from root's line of the image's /etc/passwd (HOME
// /root, USER root, no SHELL without one), PATH DefaultPath, LANG
// C.UTF-8, and TERM: xterm-256color when terminal (stdout is a terminal
// on the host), else dumb. It also returns root's home directory when it
// is a directory ("" otherwise): the working directory `occlum run` starts
// in unless told another.
func (l *LibOS) UserEnvironment(env []string, terminal bool) ([]string, string) {
	name, home, shell := "root", "/root", ""
	if e := l.passwdRoot(func(n, h, s string) { name, home, shell = n, h, s }); e != 0 {
		name, home, shell = "root", "/root", ""
	}
	set := map[string]bool{}
	for _, kv := range env {
		if i := strings.IndexByte(kv, '='); i > 0 {
			set[kv[:i]] = true
		}
	}
	out := append([]string(nil), env...)
	add := func(k, v string) {
		if !set[k] && v != "" {
			out = append(out, k+"="+v)
			set[k] = true
		}
	}
	term := "dumb"
	if terminal {
		term = "xterm-256color"
	}
	add("HOME", home)
	add("USER", name)
	add("LOGNAME", name)
	add("SHELL", shell)
	add("PATH", DefaultPath)
	add("LANG", "C.UTF-8")
	add("TERM", term)
	dir := ""
	if st, e := l.kernel.VFS.Stat(home, true); e == 0 && st.Type() == vfs.TypeDirectory {
		dir = home
	}
	return out, dir
}

// passwdRoot calls fn with the name, home and shell of uid 0's line of
// /etc/passwd.
func (l *LibOS) passwdRoot(fn func(name, home, shell string)) errno.Errno {
	file, e := l.kernel.VFS.Open("/etc/passwd", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return e
	}
	defer file.DecRef()
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 4096)
	for len(buf) < maxPasswd {
		n, e := file.Read(chunk)
		if e != 0 {
			return e
		}
		if n == 0 {
			break
		}
		buf = append(buf, chunk[:n]...)
	}
	for _, line := range strings.Split(string(buf), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == "0" && f[0] != "" {
			fn(f[0], f[5], f[6])
			return 0
		}
	}
	return errno.ENOENT
}
