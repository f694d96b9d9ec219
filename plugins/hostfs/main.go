// Command occlum-hostfs-plugin is the host side of a hostfs mount as a
// go-plugin process: it serves fs/hostfs (every access relative to a
// descriptor inside the mounted directory, protected paths refused by
// identity, set-id and execute bits masked unless allowed) through the
// plugin protocol (plugins/sdk, docs/plugins.md). The LibOS starts it
// with the mount's options; started by hand it says so and exits.
//
//	occlum-hostfs-plugin [-exec] [-suid] [-protect PATH]... DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var protect list
	exec := flag.Bool("exec", false, "keep execute bits on files guests create or chmod")
	suid := flag.Bool("suid", false, "keep set-user-ID and set-group-ID bits")
	ro := flag.Bool("readonly", false, "refuse every change")
	flag.Var(&protect, "protect", "a host path guests must never reach (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: occlum-hostfs-plugin [-exec] [-suid] [-readonly] [-protect PATH]... DIR")
		os.Exit(2)
	}
	fsys, err := hostfs.New(flag.Arg(0), hostfs.Options{Protected: protect, Exec: *exec, SetID: *suid})
	if err != nil {
		fmt.Fprintln(os.Stderr, "occlum-hostfs-plugin:", err)
		os.Exit(1)
	}
	defer fsys.Close()
	sdk.Serve(sdk.FromVFS(fsys.Root(), "hostfs "+flag.Arg(0), *ro))
}
