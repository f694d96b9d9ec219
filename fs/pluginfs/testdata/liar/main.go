// Command liar is a file-system plugin that misbehaves on purpose, for
// fs/pluginfs's tests: LIAR=version speaks another protocol version;
// LIAR=exit exits at once; otherwise it serves a directory with files
// whose names and replies lie ("/slash" lists a name with '/', "/big" reads
// more than asked, "/neg" has a negative size, "/hang" never answers,
// "/crash" kills the process).
package main

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

type liar struct{ sdk.Unimplemented }

func (liar) Info(context.Context) (string, bool) { return "liar", true }

func (liar) Stat(_ context.Context, p string, _ bool) (vfs.Stat, errno.Errno) {
	switch p {
	case "/", "/slash":
		return vfs.Stat{Ino: 1, Mode: vfs.TypeDirectory.ModeBits() | 0o755, Nlink: 2}, 0
	case "/neg":
		return vfs.Stat{Ino: 2, Mode: vfs.TypeRegular.ModeBits() | 0o644, Nlink: 1, Size: -5}, 0
	case "/big", "/ok":
		return vfs.Stat{Ino: 3, Mode: vfs.TypeRegular.ModeBits() | 0o644, Nlink: 1, Size: 4}, 0
	case "/hang":
		time.Sleep(time.Hour)
	case "/crash":
		os.Exit(3)
	case "/badtype":
		return vfs.Stat{Ino: 4, Mode: 0o170644, Nlink: 1}, 0
	}
	return vfs.Stat{}, errno.ENOENT
}

func (liar) ReadDir(_ context.Context, p string, _ uint64, _ int) ([]vfs.Dirent, uint64, bool, errno.Errno) {
	if p == "/slash" {
		return []vfs.Dirent{{Name: "../../etc", Ino: 9, Type: vfs.TypeRegular}}, 1, true, 0
	}
	return []vfs.Dirent{{Name: "ok", Ino: 3, Type: vfs.TypeRegular}}, 1, true, 0
}

func (liar) Open(_ context.Context, p string, _ vfs.OpenFlags, _ uint32) (uint64, vfs.Stat, errno.Errno) {
	st, e := liar{}.Stat(context.Background(), p, false)
	return 7, st, e
}

func (liar) Read(_ context.Context, _ uint64, _ int64, p []byte) (int, errno.Errno) {
	return len(p), 0 // only here to be asked; the lie is in the server below
}

func main() {
	switch os.Getenv("LIAR") {
	case "exit":
		os.Exit(0)
	case "version":
		cfg := sdk.ServeConfig(liar{})
		cfg.HandshakeConfig.ProtocolVersion = 99
		plugin.Serve(cfg)
		return
	}
	sdk.Serve(liar{})
}
