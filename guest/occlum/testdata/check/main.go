//go:build wasip1

// Command check exercises package occlum inside a LibOS (the test in
// ../../occlum_test.go runs it). Children are this program in a mode; run as
// .../echo it is an echo. It prints "ok <check>" lines and "check: PASS".
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/occlumgo/occlum/guest/occlum"
)

var failures int

func check(ok bool, format string, args ...any) {
	if !ok {
		fmt.Printf("FAIL "+format+"\n", args...)
		failures++
	}
}

func main() {
	if path.Base(os.Args[0]) == "echo" {
		fmt.Println(strings.Join(os.Args[1:], " "))
		return
	}
	if len(os.Args) > 1 {
		child(os.Args[1:])
		return
	}
	self := os.Args[0]

	// processes, pipes, wait
	check(occlum.Getpid() > 0 && occlum.Getppid() >= 0, "pids")
	r, w, err := occlum.Pipe()
	check(err == nil, "pipe: %v", err)
	pid, err := occlum.Spawn(self, []string{self, "hello", "a b"}, []string{"X=1"}, &occlum.SpawnOptions{
		Actions: []occlum.FileAction{occlum.Dup2Action(int(w.Fd()), 1)},
	})
	check(err == nil, "spawn: %v", err)
	w.Close()
	out, _ := io.ReadAll(r)
	r.Close()
	want := fmt.Sprintf("hello [a b] X=1 parent=%d\n", occlum.Getpid())
	check(string(out) == want, "child said %q, want %q", out, want)
	wpid, st, err := occlum.Wait4(pid, 0)
	check(err == nil && wpid == pid && st.Exited() && st.ExitStatus() == 0, "wait4: %d %v %v", wpid, st, err)
	fmt.Println("ok spawn+pipe+wait")

	// exit status, kill, signal masks
	pid, _ = occlum.Spawn(self, []string{self, "exit", "7"}, nil, nil)
	_, st, _ = occlum.Wait4(pid, 0)
	check(st.ExitStatus() == 7, "exit status %v", st)
	pid, err = occlum.Spawn(self, []string{self, "sleep"}, nil, &occlum.SpawnOptions{Setpgroup: true})
	check(err == nil, "spawn sleep: %v", err)
	pg, err := occlum.Getpgid(pid)
	check(err == nil && pg == pid, "pgid %d %v, want %d", pg, err, pid)
	check(occlum.Kill(-pid, occlum.SIGTERM) == nil, "kill group")
	_, st, _ = occlum.Wait4(pid, 0)
	check(st.Signaled() && st.Signal() == occlum.SIGTERM, "killed child: %v", st)
	_, _, err = occlum.Wait4(-1, occlum.WNOHANG)
	check(errors.Is(err, syscall.ECHILD), "wait4 without children: %v", err)
	_, err = occlum.Spawn("/no/such/program", nil, nil, nil)
	check(errors.Is(err, fs.ErrNotExist), "spawn of a missing program: %v", err)
	check(occlum.Kill(occlum.Getpid(), 1000) != nil, "kill with a bad signal")

	set := occlum.SigSetOf(occlum.SIGUSR1)
	_, err = occlum.Sigprocmask(occlum.SIG_BLOCK, &set)
	check(err == nil, "sigprocmask: %v", err)
	check(occlum.Kill(occlum.Getpid(), occlum.SIGUSR1) == nil, "kill self")
	pend, err := occlum.Sigpending()
	check(err == nil && pend.Has(occlum.SIGUSR1), "sigpending %x %v", pend, err)
	check(occlum.Ignore(occlum.SIGUSR1) == nil, "ignore")
	_, err = occlum.Sigprocmask(occlum.SIG_UNBLOCK, &set)
	check(err == nil, "unblock: %v", err)
	check(occlum.Default(occlum.SIGUSR1) == nil, "default")
	fmt.Println("ok signals")

	// cwd: the LibOS's and Go's move together; children inherit it
	dir := fmt.Sprintf("/tmp/occlum-go-check-%d", occlum.Getpid())
	check(os.Mkdir(dir, 0o755) == nil, "mkdir")
	check(occlum.Chdir(dir) == nil, "chdir")
	cwd, err := occlum.Getcwd()
	check(err == nil && cwd == dir, "getcwd %q %v", cwd, err)
	gocwd, _ := os.Getwd()
	check(gocwd == dir, "os.Getwd %q", gocwd)
	check(os.WriteFile("rel.txt", []byte("relative\n"), 0o644) == nil, "write rel.txt")
	_, err = os.Stat(dir + "/rel.txt")
	check(err == nil, "rel.txt not in %s: %v", dir, err)
	r, w, _ = occlum.Pipe()
	pid, _ = occlum.Spawn(self, []string{self, "cat", "rel.txt"}, nil, &occlum.SpawnOptions{
		Actions: []occlum.FileAction{occlum.Dup2Action(int(w.Fd()), 1)},
	})
	w.Close()
	out, _ = io.ReadAll(r)
	r.Close()
	occlum.Wait4(pid, 0)
	check(string(out) == "relative\n", "child read %q", out)
	check(errors.Is(occlum.Chdir("no-such-dir"), fs.ErrNotExist), "chdir to nothing")
	check(occlum.Chdir("/") == nil, "chdir /")
	os.RemoveAll(dir)
	fmt.Println("ok cwd")

	// descriptors
	fds, err := occlum.Pipe2(occlum.O_CLOEXEC)
	check(err == nil, "pipe2: %v", err)
	fl, err := occlum.Fcntl(fds[0], occlum.F_GETFD, 0)
	check(err == nil && fl == occlum.FD_CLOEXEC, "F_GETFD %d %v", fl, err)
	d, err := occlum.Dup(fds[0])
	check(err == nil && d > fds[1], "dup %d %v", d, err)
	check(occlum.Dup2(fds[0], 40) == nil, "dup2")
	check(occlum.Dup3(fds[0], 41, occlum.O_CLOEXEC) == nil, "dup3")
	check(occlum.SetCloexec(40, true) == nil, "setcloexec")
	for _, fd := range []int{fds[0], fds[1], d, 40, 41} {
		os.NewFile(uintptr(fd), "").Close()
	}
	fmt.Println("ok fds")

	// identity, system
	u, err := occlum.Uname()
	check(err == nil && u.Sysname != "", "uname %+v %v", u, err)
	si, err := occlum.GetSysinfo()
	check(err == nil && si.TotalRAM > 0 && si.Procs > 0, "sysinfo %+v %v", si, err)
	rl, err := occlum.Getrlimit(occlum.RLIMIT_NOFILE)
	check(err == nil && rl.Cur > 3, "getrlimit %+v %v", rl, err)
	old, err := occlum.Prlimit(0, occlum.RLIMIT_NOFILE, nil)
	check(err == nil && old == rl, "prlimit %+v %v", old, err)
	check(occlum.Getuid() == 0 && occlum.Geteuid() == 0 && occlum.Getgid() == 0 && occlum.Getegid() == 0, "ids")
	m := occlum.Umask(0o27)
	check(occlum.Umask(m) == 0o27, "umask")
	fmt.Println("ok system")

	if failures > 0 {
		fmt.Printf("check: FAIL (%d)\n", failures)
		os.Exit(1)
	}
	fmt.Println("check: PASS")
}

func child(args []string) {
	switch args[0] {
	case "hello":
		fmt.Printf("hello %v X=%s parent=%d\n", args[1:], os.Getenv("X"), occlum.Getppid())
	case "exit":
		var n int
		fmt.Sscan(args[1], &n)
		os.Exit(n)
	case "sleep":
		for {
			occlum.Sigprocmask(occlum.SIG_BLOCK, nil) // syscalls, where signals land
		}
	case "cat":
		b, err := os.ReadFile(args[1])
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		os.Stdout.Write(b)
	}
}
