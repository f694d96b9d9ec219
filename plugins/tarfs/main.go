// Command occlum-tarfs-plugin mounts a tar archive read-only in the LibOS:
// an example of a third-party file-system plugin (docs/plugins.md). The
// archive is read once at start (regular files, directories, symbolic and
// hard links; other entries are skipped); file contents are read from the
// archive on demand. Configure it in Occlum.json:
//
//	{"target": "/data", "type": "plugin", "source": "./data.tar",
//	 "options": {"plugin": "./occlum-tarfs-plugin"}}
package main

import (
	"fmt"
	"os"

	"github.com/occlumgo/occlum/plugins/sdk"
	"github.com/occlumgo/occlum/plugins/tarfs/tarfs"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: occlum-tarfs-plugin ARCHIVE.tar")
		os.Exit(2)
	}
	fs, err := tarfs.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "occlum-tarfs-plugin:", err)
		os.Exit(1)
	}
	sdk.Serve(fs)
}
