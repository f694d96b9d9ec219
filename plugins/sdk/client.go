package sdk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	pb "github.com/occlumgo/occlum/gen/fsplugin"
)

// DefaultTimeout bounds every call to a plugin: one that takes longer is
// taken for hung, answered with EIO, and the plugin is restarted.
const DefaultTimeout = 30 * time.Second

// Options start a plugin.
type Options struct {
	// Path is the plugin program; Args its arguments.
	Path string
	Args []string
	// SHA256, if set, is the hex SHA-256 the program must have (the
	// measured one): another program is refused before it runs.
	SHA256 string
	// Timeout bounds each call (0: DefaultTimeout).
	Timeout time.Duration
	// Logf reports what the plugin did wrong (nil: silent).
	Logf func(format string, args ...any)
	// Stderr receives the plugin's own log output (nil: discarded).
	Stderr io.Writer
}

// Client is a running plugin as an FS: every reply is checked (a name
// with '/', a reply longer than asked, a negative size, an unknown file
// type are EIO and a log line, never passed on), and a plugin that
// crashes or hangs makes the calls in flight fail with EIO and is
// restarted; descriptions opened before the restart then answer EIO.
type Client struct {
	o Options

	mu      sync.Mutex // guards the fields below; never held across a call
	gen     uint64     // the plugin process generation
	pc      *plugin.Client
	fs      pb.FileSystemClient
	closed  bool
	handles map[uint64]remoteHandle
	next    uint64
	name    string
	ro      bool
}

type remoteHandle struct {
	gen uint64
	h   uint64
}

var _ FS = (*Client)(nil)

// Start verifies and starts a plugin and checks its protocol version.
//
// Errors name the plugin: a program that does not exist or cannot run, a
// SHA-256 that differs from the measured one, a program that exits at
// once or is no plugin (no handshake), another protocol version.
func Start(o Options) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.SHA256 != "" {
		if err := checkSum(o.Path, o.SHA256); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(o.Path); err != nil {
		return nil, fmt.Errorf("plugin %s: %w", o.Path, err)
	}
	c := &Client{o: o, handles: map[uint64]remoteHandle{}}
	if err := c.start(); err != nil {
		return nil, err
	}
	return c, nil
}

// checkSum compares the program's SHA-256 with want.
func checkSum(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("plugin %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("plugin %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
		return fmt.Errorf("plugin %s: its SHA-256 is %s, the measured one is %s: the program was changed after the build (rebuild the instance to trust the new one)", path, got, want)
	}
	return nil
}

// start launches the plugin process (again, after a crash).
func (c *Client) start() error {
	stderr := c.o.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          map[string]plugin.Plugin{PluginName: &grpcPlugin{}},
		Cmd:              exec.Command(c.o.Path, c.o.Args...),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Output: stderr, Level: hclog.Warn}),
		Stderr:           stderr,
		StartTimeout:     10 * time.Second,
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxChunk+64<<10), grpc.MaxCallSendMsgSize(MaxChunk+64<<10)),
			grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window),
			grpc.WithReadBufferSize(256 << 10), grpc.WithWriteBufferSize(256 << 10)},
	})
	rpc, err := pc.Client()
	if err != nil {
		pc.Kill()
		return fmt.Errorf("plugin %s: did not start as a file-system plugin: %w", c.o.Path, err)
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		pc.Kill()
		return fmt.Errorf("plugin %s: %w", c.o.Path, err)
	}
	fs := raw.(pb.FileSystemClient)
	ctx, cancel := context.WithTimeout(context.Background(), c.o.Timeout)
	info, err := fs.Info(ctx, &pb.InfoRequest{Version: Version})
	cancel()
	if err != nil {
		pc.Kill()
		return fmt.Errorf("plugin %s: %w", c.o.Path, err)
	}
	if info.Version != Version {
		pc.Kill()
		return fmt.Errorf("plugin %s speaks protocol version %d; this LibOS speaks %d", c.o.Path, info.Version, Version)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		pc.Kill()
		return errors.New("plugin closed")
	}
	c.gen++
	c.pc, c.fs, c.name, c.ro = pc, fs, info.Name, info.ReadOnly
	return nil
}

// Stop stops the plugin process.
func (c *Client) Stop() error {
	c.mu.Lock()
	c.closed = true
	pc := c.pc
	c.mu.Unlock()
	if pc != nil {
		pc.Kill()
	}
	return nil
}

// Pid returns the plugin process's id (0 when none runs).
func (c *Client) Pid() int {
	c.mu.Lock()
	pc := c.pc
	c.mu.Unlock()
	if pc == nil {
		return 0
	}
	if rc := pc.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Generation counts the plugin processes started (1, then one more per
// restart).
func (c *Client) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// current returns the live connection and its generation.
func (c *Client) current() (pb.FileSystemClient, uint64, errno.Errno) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.fs == nil {
		return nil, 0, errno.EIO
	}
	return c.fs, c.gen, 0
}

// failed handles a transport error of generation gen: the plugin crashed
// or hung; it is killed and started again (once per generation).
func (c *Client) failed(gen uint64, err error) errno.Errno {
	c.logf("plugin %s failed (%v): restarting it", c.o.Path, err)
	c.mu.Lock()
	if c.gen != gen || c.closed {
		c.mu.Unlock()
		return errno.EIO
	}
	old := c.pc
	c.fs, c.pc = nil, nil
	c.mu.Unlock()
	if old != nil {
		old.Kill()
	}
	if err := c.start(); err != nil {
		c.logf("plugin %s: restart failed: %v", c.o.Path, err)
	}
	return errno.EIO
}

func (c *Client) logf(format string, args ...any) {
	if c.o.Logf != nil {
		c.o.Logf(format, args...)
	}
}

// bad reports a reply that breaks the protocol.
func (c *Client) bad(what string, args ...any) errno.Errno {
	c.logf("plugin %s: "+what+": answered EIO", append([]any{c.o.Path}, args...)...)
	return errno.EIO
}

// call runs one RPC with the timeout; a transport error restarts the plugin.
func call[R any](c *Client, ctx context.Context, f func(ctx context.Context, fs pb.FileSystemClient) (R, error)) (R, errno.Errno) {
	var zero R
	fs, gen, e := c.current()
	if e != 0 {
		return zero, e
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	r, err := f(ctx, fs)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return zero, errno.EINTR // the caller gave up, not the plugin
		}
		return zero, c.failed(gen, err)
	}
	return r, 0
}

// errnoOf checks a reply's errno: Linux numbering, known to the LibOS.
func (c *Client) errnoOf(v int32) errno.Errno {
	e := errno.Errno(v)
	if v < 0 || v > 4095 {
		return c.bad("errno %d", v)
	}
	if n := e.Name(); v != 0 && len(n) > 1 && n[1] >= '0' && n[1] <= '9' {
		return c.bad("errno %d", v) // not one the LibOS knows
	}
	return e
}

// statOf checks a stat reply.
func (c *Client) statOf(s *pb.Stat) (vfs.Stat, errno.Errno) {
	if s == nil {
		return vfs.Stat{}, c.bad("a reply without attributes")
	}
	st := vfs.Stat{Ino: s.Ino, Mode: s.Mode, Nlink: s.Nlink, Uid: s.Uid, Gid: s.Gid, Rdev: s.Rdev,
		Size: s.Size, Blocks: s.Blocks, Atime: s.Atime, Mtime: s.Mtime, Ctime: s.Ctime}
	switch st.Type() {
	case vfs.TypeRegular, vfs.TypeDirectory, vfs.TypeSymlink, vfs.TypeFIFO, vfs.TypeCharDev, vfs.TypeBlockDev, vfs.TypeSocket:
	default:
		return vfs.Stat{}, c.bad("file type %#o", s.Mode&0o170000)
	}
	if st.Size < 0 || st.Blocks < 0 || s.Mode&^uint32(0o177777) != 0 {
		return vfs.Stat{}, c.bad("size %d, blocks %d, mode %#o", st.Size, st.Blocks, s.Mode)
	}
	return st, 0
}

// validName reports whether a name from a directory listing is a single
// component.
func validName(n string) bool {
	return n != "" && n != "." && n != ".." && len(n) <= vfs.MaxNameLen && !strings.ContainsAny(n, "/\x00")
}

func (c *Client) Info(context.Context) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name, c.ro
}

func (c *Client) Stat(ctx context.Context, path string, follow bool) (vfs.Stat, errno.Errno) {
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.StatReply, error) {
		return fs.Stat(ctx, &pb.PathRequest{Path: path, Follow: follow})
	})
	if e != 0 {
		return vfs.Stat{}, e
	}
	if e := c.errnoOf(r.Errno); e != 0 {
		return vfs.Stat{}, e
	}
	return c.statOf(r.Stat)
}

func (c *Client) ReadDir(ctx context.Context, path string, cookie uint64, max int) ([]vfs.Dirent, uint64, bool, errno.Errno) {
	max = min(max, MaxDirPage)
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ReadDirReply, error) {
		return fs.ReadDir(ctx, &pb.ReadDirRequest{Path: path, Cookie: cookie, Max: uint32(max)})
	})
	if e != 0 {
		return nil, 0, true, e
	}
	if e := c.errnoOf(r.Errno); e != 0 {
		return nil, 0, true, e
	}
	if len(r.Entries) > max {
		return nil, 0, true, c.bad("%d directory entries for a page of %d", len(r.Entries), max)
	}
	if !r.Eof && (len(r.Entries) == 0 || r.Next == cookie) {
		return nil, 0, true, c.bad("a directory page that does not advance")
	}
	out := make([]vfs.Dirent, 0, len(r.Entries))
	for _, d := range r.Entries {
		if !validName(d.Name) {
			return nil, 0, true, c.bad("directory entry %q", d.Name)
		}
		out = append(out, vfs.Dirent{Name: d.Name, Ino: d.Ino, Type: vfs.FileType(d.Type & 0xf)})
	}
	return out, r.Next, r.Eof, 0
}

func (c *Client) Readlink(ctx context.Context, path string) (string, errno.Errno) {
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ReadlinkReply, error) {
		return fs.Readlink(ctx, &pb.PathRequest{Path: path})
	})
	if e != 0 {
		return "", e
	}
	if e := c.errnoOf(r.Errno); e != 0 {
		return "", e
	}
	if r.Target == "" || len(r.Target) > vfs.MaxPathLen || strings.ContainsRune(r.Target, 0) {
		return "", c.bad("link target of %d bytes", len(r.Target))
	}
	return r.Target, 0
}

func (c *Client) Open(ctx context.Context, path string, flags vfs.OpenFlags, perm uint32) (uint64, vfs.Stat, errno.Errno) {
	var gen uint64
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.OpenReply, error) {
		_, gen, _ = c.current()
		return fs.Open(ctx, &pb.OpenRequest{Path: path, Flags: uint32(flags), Perm: perm})
	})
	if e != 0 {
		return 0, vfs.Stat{}, e
	}
	if e := c.errnoOf(r.Errno); e != 0 {
		return 0, vfs.Stat{}, e
	}
	st, e := c.statOf(r.Stat)
	if e != 0 {
		return 0, vfs.Stat{}, e
	}
	c.mu.Lock()
	c.next++
	h := c.next
	c.handles[h] = remoteHandle{gen, r.Handle}
	c.mu.Unlock()
	return h, st, 0
}

// remote returns the plugin's handle for h, EIO if it belongs to a
// plugin process that is gone, EBADF if it is unknown.
func (c *Client) remote(h uint64) (uint64, errno.Errno) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rh, ok := c.handles[h]
	switch {
	case !ok:
		return 0, errno.EBADF
	case rh.gen != c.gen:
		return 0, errno.EIO
	}
	return rh.h, 0
}

func (c *Client) Read(ctx context.Context, h uint64, off int64, p []byte) (int, errno.Errno) {
	rh, e := c.remote(h)
	if e != 0 {
		return 0, e
	}
	total := 0
	for total < len(p) {
		want := min(len(p)-total, MaxChunk)
		r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ReadReply, error) {
			return fs.Read(ctx, &pb.ReadRequest{Handle: rh, Offset: off + int64(total), Size: uint32(want)})
		})
		if e == 0 {
			e = c.errnoOf(r.Errno)
		}
		if e != 0 {
			if total > 0 {
				return total, 0
			}
			return 0, e
		}
		if len(r.Data) > want {
			return total, c.bad("%d bytes read for %d asked", len(r.Data), want)
		}
		total += copy(p[total:], r.Data)
		if len(r.Data) < want {
			break // end of file
		}
	}
	return total, 0
}

func (c *Client) Write(ctx context.Context, h uint64, off int64, p []byte, appendMode bool) (int, int64, errno.Errno) {
	rh, e := c.remote(h)
	if e != 0 {
		return 0, 0, e
	}
	total := 0
	end := off
	for {
		chunk := p[total:min(len(p), total+MaxChunk)]
		r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.WriteReply, error) {
			return fs.Write(ctx, &pb.WriteRequest{Handle: rh, Offset: off + int64(total), Data: chunk, Append: appendMode})
		})
		if e == 0 {
			e = c.errnoOf(r.Errno)
		}
		if e != 0 {
			if total > 0 {
				return total, end, 0
			}
			return 0, 0, e
		}
		if int(r.Written) > len(chunk) || r.End < 0 {
			return total, end, c.bad("%d bytes written of %d, end %d", r.Written, len(chunk), r.End)
		}
		total += int(r.Written)
		end = r.End
		if int(r.Written) < len(chunk) || total >= len(p) {
			return total, end, 0
		}
	}
}

func (c *Client) Fstat(ctx context.Context, h uint64) (vfs.Stat, errno.Errno) {
	rh, e := c.remote(h)
	if e != 0 {
		return vfs.Stat{}, e
	}
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.StatReply, error) {
		return fs.Fstat(ctx, &pb.HandleRequest{Handle: rh})
	})
	if e != 0 {
		return vfs.Stat{}, e
	}
	if e := c.errnoOf(r.Errno); e != 0 {
		return vfs.Stat{}, e
	}
	return c.statOf(r.Stat)
}

func (c *Client) Close(ctx context.Context, h uint64) errno.Errno {
	c.mu.Lock()
	rh, ok := c.handles[h]
	delete(c.handles, h)
	stale := rh.gen != c.gen
	c.mu.Unlock()
	if !ok {
		return errno.EBADF
	}
	if stale {
		return 0 // its process is gone, and the handle with it
	}
	r, e := call(c, ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Close(ctx, &pb.HandleRequest{Handle: rh.h})
	})
	if e != 0 {
		return e
	}
	return c.errnoOf(r.Errno)
}

// simple runs an RPC whose reply is only an errno.
func (c *Client) simple(ctx context.Context, f func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error)) errno.Errno {
	r, e := call(c, ctx, f)
	if e != 0 {
		return e
	}
	return c.errnoOf(r.Errno)
}

func (c *Client) Sync(ctx context.Context, h uint64, dataOnly bool) errno.Errno {
	rh, e := c.remote(h)
	if e != 0 {
		return e
	}
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Sync(ctx, &pb.HandleRequest{Handle: rh, DataOnly: dataOnly})
	})
}

func (c *Client) Mkdir(ctx context.Context, path string, perm uint32) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Make(ctx, &pb.MakeRequest{Kind: pb.MakeRequest_DIRECTORY, Path: path, Perm: perm})
	})
}

func (c *Client) Symlink(ctx context.Context, path, target string) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Make(ctx, &pb.MakeRequest{Kind: pb.MakeRequest_SYMLINK, Path: path, Target: target})
	})
}

func (c *Client) Unlink(ctx context.Context, path string) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Unlink(ctx, &pb.PathRequest{Path: path})
	})
}

func (c *Client) Rmdir(ctx context.Context, path string) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Rmdir(ctx, &pb.PathRequest{Path: path})
	})
}

func (c *Client) Rename(ctx context.Context, from, to string) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Rename(ctx, &pb.RenameRequest{From: from, To: to})
	})
}

func (c *Client) Link(ctx context.Context, target, path string) errno.Errno {
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.Link(ctx, &pb.LinkRequest{Target: target, Path: path})
	})
}

func (c *Client) SetAttr(ctx context.Context, path string, h uint64, byHandle bool, a vfs.SetAttr) errno.Errno {
	var rh uint64
	if byHandle {
		var e errno.Errno
		if rh, e = c.remote(h); e != 0 {
			return e
		}
	}
	return c.simple(ctx, func(ctx context.Context, fs pb.FileSystemClient) (*pb.ErrnoReply, error) {
		return fs.SetAttr(ctx, &pb.SetAttrRequest{Path: path, Handle: rh, ByHandle: byHandle, Mask: uint32(a.Mask),
			Size: a.Size, Mode: a.Mode, Atime: a.Atime, Mtime: a.Mtime, Uid: a.Uid, Gid: a.Gid})
	})
}
