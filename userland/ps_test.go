package userland

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/internal/toolchaintest"
)

// procpsPS returns procps-ng's ps (Debian's package procps), the oracle of
// our ps.
func procpsPS(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/ps", "/bin/ps"} {
		if out, err := exec.Command(p, "--version").Output(); err == nil && strings.Contains(string(out), "procps") {
			return p
		}
	}
	t.Skip("procps's ps not installed (Debian package procps)")
	return ""
}

// psTree starts processes natively whose ps lines are known to be stable:
// a sleep with an argv[0] that needs escaping, and a sleep holding a zombie
// child. It returns their pids (the zombie's too) once the zombie is one.
func psTree(t *testing.T) []int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := exec.CommandContext(ctx, "sleep", "60")
	a.Args = []string{"my\tsleep", "60"} // argv[0] with a tab: ps shows '?'
	// The shell starts "sleep 0" and becomes "sleep 60", which never
	// waits: the first sleep stays a zombie.
	b := exec.CommandContext(ctx, "/bin/sh", "-c", "sleep 0 & exec sleep 60")
	for _, c := range []*exec.Cmd{a, b} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	pids := []int{a.Process.Pid, b.Process.Pid}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if z := zombieChild(b.Process.Pid); z > 0 {
			return append(pids, z)
		}
		if time.Now().After(deadline) {
			t.Fatal("no zombie appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// zombieChild returns a zombie child of pid, or 0, once pid runs sleep.
func zombieChild(pid int) int {
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if string(comm) != "sleep\n" {
		return 0
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c))
		if err != nil {
			continue
		}
		s := string(st)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(pid) {
			return c
		}
	}
	return 0
}

// psLines runs ps with args and returns its header and its lines for
// pids, found by the pid in field pidField (0-based).
func psLines(t *testing.T, ps, locale string, args []string, pidField int, pids []int) (string, []string) {
	t.Helper()
	cmd := exec.Command(ps, args...)
	cmd.Env = []string{"LC_ALL=" + locale, "TZ=UTC", "PATH=/usr/bin:/bin"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", ps, args, err, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := map[string]bool{}
	for _, p := range pids {
		want[strconv.Itoa(p)] = true
	}
	var sel []string
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > pidField && want[f[pidField]] {
			sel = append(sel, l)
		}
	}
	return lines[0], sel
}

// TestPSAgainstProcps runs our ps and procps's side by side natively over
// the same processes: the header and the lines of the processes this
// test started must be identical, byte for byte.
func TestPSAgainstProcps(t *testing.T) {
	bin := built(t)
	ref := procpsPS(t)
	pids := psTree(t)
	ours := filepath.Join(bin, "ps")
	plist := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(pids)), ","), "[]")
	for _, c := range []struct {
		args     []string
		pidField int
		locale   string
	}{
		{[]string{"-ef"}, 1, "C"},
		{[]string{"-ef"}, 1, "C.UTF-8"},
		{[]string{"-e"}, 0, "C"},
		{nil, 0, "C"},
		{[]string{"-f"}, 1, "C"},
		{[]string{"-A", "-o", "pid,ppid,comm,args"}, 0, "C"},
		{[]string{"-o", "pid,ppid,pgid,sid,uid,user,tty,time,c,s,nlwp,comm,args", "-p", plist}, 0, "C"},
		{[]string{"-p", plist, "-o", "pid=,comm=COMMAND-NAME", "-o", "args:8,user"}, 0, "C"},
		{[]string{"-p" + plist, "-f"}, 1, "C"},
		{[]string{"-e", "-o", "pid,comm:4,args:5,ppid"}, 0, "C"},
	} {
		name := c.locale + " " + strings.Join(c.args, " ")
		t.Run(name, func(t *testing.T) {
			wantHead, wantLines := psLines(t, ref, c.locale, c.args, c.pidField, pids)
			gotHead, gotLines := psLines(t, ours, c.locale, c.args, c.pidField, pids)
			if gotHead != wantHead {
				t.Errorf("header:\nours:   %q\nprocps: %q", gotHead, wantHead)
			}
			if len(wantLines) == 0 && c.args != nil {
				t.Fatalf("procps shows none of %v", pids)
			}
			if strings.Join(gotLines, "\n") != strings.Join(wantLines, "\n") {
				t.Errorf("lines:\nours:\n%s\nprocps:\n%s", strings.Join(gotLines, "\n"), strings.Join(wantLines, "\n"))
			}
		})
	}
	// Errors: an unknown column, a bad pid list, no such process.
	for _, args := range [][]string{{"-o", "nosuch"}, {"-p", "x"}, {"-p", "999999999"}} {
		want := exec.Command(ref, args...).Run()
		got := exec.Command(ours, args...).Run()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ps %v: ours %v, procps %v", args, got, want)
		}
	}
}

// TestPSInLibOS runs ps inside the LibOS over a shell, a sleep and a
// zombie, and checks its lines field by field against what procps prints
// for such processes (the layout TestPSAgainstProcps holds ours to).
func TestPSInLibOS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the userland for the LibOS")
	}
	gcc := toolchaintest.OcclumGCC(t)
	wasmOnce.Do(func() {
		wasmDir, wasmErr = os.MkdirTemp("", "userland-wasm-")
		if wasmErr == nil {
			wasmErr = Build(gcc, []string{"-O2"}, wasmDir)
		}
	})
	if wasmErr != nil {
		t.Fatal(wasmErr)
	}
	bins := map[string][]byte{}
	for _, p := range Programs {
		b, err := os.ReadFile(filepath.Join(wasmDir, p))
		if err != nil {
			t.Fatal(err)
		}
		bins["/bin/"+p] = b
	}
	// A sleep, and a shell that starts "sleep 0" and becomes "sleep 30"
	// (never waiting): a zombie. The shell waits for the zombie to be one
	// before it runs ps.
	script := `sleep 30 & a=$!
sh -c "sleep 0 & exec sleep 30" & b=$!
i=0; while [ $i -lt 500 ]; do ps -o s=,ppid= | grep -q "^Z *$b\$" && break; sleep 0.01; i=$((i+1)); done
echo "sh=$$ a=$a b=$b"
ps -ef
echo --
ps -o pid,ppid,s,comm,args
echo --
ps
echo --
ps -o pid=,comm= -p $a
kill $a $b`
	got := runInLibOS(t, bins, t.TempDir(), script, "")
	if got.status != 0 || got.stderr != "" {
		t.Fatalf("status %d, stderr:\n%s\nstdout:\n%s", got.status, got.stderr, got.stdout)
	}
	parts := strings.Split(got.stdout, "--\n")
	if len(parts) != 4 {
		t.Fatalf("output:\n%s", got.stdout)
	}
	var sh, a, b int
	if _, err := fmt.Sscanf(parts[0], "sh=%d a=%d b=%d\n", &sh, &a, &b); err != nil {
		t.Fatalf("%v:\n%s", err, got.stdout)
	}
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	ef := lines(parts[0])[1:]
	// -ef: procps's header and columns; STIME is HH:MM (today), TTY ?
	// (no terminal), TIME 0 (not accounted).
	if ef[0] != "UID        PID  PPID  C STIME TTY          TIME CMD" {
		t.Errorf("ps -ef header %q", ef[0])
	}
	stime := regexp.MustCompile(`^root +\d+ +\d+  0 (\d\d:\d\d) \?        00:00:00 `)
	find := func(list []string, pidField int, pid int) string {
		for _, l := range list {
			if f := strings.Fields(l); len(f) > pidField && f[pidField] == strconv.Itoa(pid) {
				return l
			}
		}
		t.Errorf("no line for pid %d in:\n%s", pid, strings.Join(list, "\n"))
		return ""
	}
	efLine := func(pid, ppid int, cmd string) string {
		l := find(ef, 1, pid)
		m := stime.FindStringSubmatch(l)
		if m == nil {
			return l
		}
		return fmt.Sprintf("root     %5d %5d  0 %s ?        00:00:00 %s", pid, ppid, m[1], cmd)
	}
	zombie := 0
	for _, l := range ef[1:] {
		if strings.HasSuffix(l, "[sleep] <defunct>") {
			zombie, _ = strconv.Atoi(strings.Fields(l)[1])
		}
	}
	if zombie == 0 {
		t.Fatalf("no zombie in ps -ef:\n%s", parts[0])
	}
	for _, w := range []struct {
		pid, ppid int
		cmd       string
	}{
		{a, sh, "sleep 30"},
		{b, sh, "sleep 30"},
		{zombie, b, "[sleep] <defunct>"},
	} {
		if l, want := find(ef, 1, w.pid), efLine(w.pid, w.ppid, w.cmd); l != want {
			t.Errorf("ps -ef line of %d:\n got  %q\n want %q", w.pid, l, want)
		}
	}
	if l := find(ef, 1, sh); !strings.HasSuffix(l, " sh -c "+strings.SplitN(script, "\n", 2)[0]+" "+strings.Join(strings.Split(script, "\n")[1:], " ")) {
		t.Errorf("the shell's line: %q", l)
	}
	// -o pid,ppid,s,comm,args
	o := lines(parts[1])
	for _, w := range []string{
		"  PID  PPID S COMMAND         COMMAND",
		fmt.Sprintf("%5d %5d S sleep           sleep 30", a, sh),
		fmt.Sprintf("%5d %5d Z sleep           [sleep] <defunct>", zombie, b),
	} {
		if !contains(o, w) {
			t.Errorf("ps -o lacks %q:\n%s", w, parts[1])
		}
	}
	// The default: PID TTY TIME CMD, the caller's processes on its
	// terminal (none: all of them).
	d := lines(parts[2])
	if d[0] != "  PID TTY          TIME CMD" || !contains(d, fmt.Sprintf("%5d ?        00:00:00 sleep", a)) {
		t.Errorf("ps:\n%s", parts[2])
	}
	if parts[3] != fmt.Sprintf("%5d sleep\n", a) {
		t.Errorf("ps -o pid=,comm= -p: %q", parts[3])
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
