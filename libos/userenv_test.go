package libos_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/occlumgo/occlum/libos/libostest"
)

// UserEnvironment: what a login as root gives, from /etc/passwd, where the
// configured environment does not already say.
func TestUserEnvironment(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		passwd string
		env    []string
		term   bool
		want   []string
		home   string
	}{
		{"new instance", "", []string{"OCCLUM=yes"}, false,
			[]string{"OCCLUM=yes", "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TERM=dumb"}, "/root"},
		{"configured names win", "", []string{"PATH=/opt/bin", "TERM=vt100", "HOME=/tmp"}, true,
			[]string{"PATH=/opt/bin", "TERM=vt100", "HOME=/tmp", "USER=root", "LOGNAME=root", "SHELL=/bin/sh", "LANG=C.UTF-8"}, "/root"},
		{"another passwd", "daemon:x:1:1::/:/bin/false\nadmin:x:0:0:Admin:/srv/admin:/bin/ash\n", nil, true,
			[]string{"HOME=/srv/admin", "USER=admin", "LOGNAME=admin", "SHELL=/bin/ash", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TERM=xterm-256color"}, ""},
		{"no root line", "nobody:x:65534:65534::/nonexistent:/bin/false\n", nil, false,
			[]string{"HOME=/root", "USER=root", "LOGNAME=root", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TERM=dumb"}, "/root"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := libostest.ProgramOptions{}
			if c.passwd != "" {
				o.Files = fstest.MapFS{"etc/passwd": {Data: []byte(c.passwd), Mode: 0o644}}
			}
			l, _, cleanup, err := libostest.Boot(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			got, home := l.UserEnvironment(c.env, c.term)
			if !slices.Equal(got, c.want) || home != c.home {
				t.Errorf("got %q, home %q\nwant %q, home %q", got, home, c.want, c.home)
			}
		})
	}
}

// RunIn starts the root process in the directory given; one that is not
// there, not a directory or not absolute is an error before anything runs.
func TestRunInChecksTheDirectory(t *testing.T) {
	ctx := context.Background()
	l, _, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for cwd, want := range map[string]string{
		"/missing":    "ENOENT",
		"/etc/passwd": "ENOTDIR",
		"root":        "not absolute",
	} {
		if _, err := l.RunIn(ctx, cwd, "/bin/none", []string{"none"}, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RunIn(%q): %v, want %s", cwd, err, want)
		}
	}
}
