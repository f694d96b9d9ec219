package sdk

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	pb "github.com/occlumgo/occlum/gen/fsplugin"
)

// Serve runs fs as a plugin process: it speaks the handshake to the LibOS
// that started it and serves until the LibOS goes. A program started by
// hand (without the handshake) is told so and exits with status 1.
func Serve(fs FS) { plugin.Serve(ServeConfig(fs)) }

// ServeConfig is the go-plugin configuration Serve uses, for a plugin
// that needs to adjust it (its tests, a logger).
func ServeConfig(fs FS) *plugin.ServeConfig {
	return &plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]plugin.Plugin{PluginName: &grpcPlugin{impl: fs}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.MaxRecvMsgSize(MaxChunk+64<<10), grpc.MaxSendMsgSize(MaxChunk+64<<10),
				// Windows and buffers for 1 MiB messages: without them
				// HTTP/2 flow control stalls each chunk several times.
				grpc.InitialWindowSize(window), grpc.InitialConnWindowSize(window),
				grpc.ReadBufferSize(256<<10), grpc.WriteBufferSize(256<<10))...)
		},
	}
}

// window is the HTTP/2 flow-control window of both sides: a few chunks.
const window = 8 * MaxChunk

// grpcPlugin is the go-plugin glue for both sides.
type grpcPlugin struct {
	plugin.Plugin
	impl FS // the server side's file system
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterFileSystemServer(s, &server{fs: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return pb.NewFileSystemClient(c), nil
}

// server serves FS over gRPC.
type server struct {
	pb.UnimplementedFileSystemServer
	fs FS
}

func toStat(st vfs.Stat) *pb.Stat {
	return &pb.Stat{Ino: st.Ino, Mode: st.Mode, Nlink: st.Nlink, Uid: st.Uid, Gid: st.Gid, Rdev: st.Rdev,
		Size: st.Size, Blocks: st.Blocks, Atime: st.Atime, Mtime: st.Mtime, Ctime: st.Ctime}
}

func (s *server) Info(ctx context.Context, r *pb.InfoRequest) (*pb.InfoReply, error) {
	name, ro := s.fs.Info(ctx)
	return &pb.InfoReply{Version: Version, Name: name, ReadOnly: ro}, nil
}

func (s *server) Stat(ctx context.Context, r *pb.PathRequest) (*pb.StatReply, error) {
	st, e := s.fs.Stat(ctx, r.Path, r.Follow)
	return &pb.StatReply{Errno: int32(e), Stat: toStat(st)}, nil
}

func (s *server) ReadDir(ctx context.Context, r *pb.ReadDirRequest) (*pb.ReadDirReply, error) {
	max := int(r.Max)
	if max <= 0 || max > MaxDirPage {
		max = MaxDirPage
	}
	ents, next, eof, e := s.fs.ReadDir(ctx, r.Path, r.Cookie, max)
	out := &pb.ReadDirReply{Errno: int32(e), Next: next, Eof: eof}
	for _, d := range ents {
		out.Entries = append(out.Entries, &pb.Dirent{Name: d.Name, Ino: d.Ino, Type: uint32(d.Type)})
	}
	return out, nil
}

func (s *server) Readlink(ctx context.Context, r *pb.PathRequest) (*pb.ReadlinkReply, error) {
	t, e := s.fs.Readlink(ctx, r.Path)
	return &pb.ReadlinkReply{Errno: int32(e), Target: t}, nil
}

func (s *server) Open(ctx context.Context, r *pb.OpenRequest) (*pb.OpenReply, error) {
	h, st, e := s.fs.Open(ctx, r.Path, vfs.OpenFlags(r.Flags), r.Perm)
	return &pb.OpenReply{Errno: int32(e), Handle: h, Stat: toStat(st)}, nil
}

func (s *server) Read(ctx context.Context, r *pb.ReadRequest) (*pb.ReadReply, error) {
	size := min(r.Size, MaxChunk)
	buf := make([]byte, size)
	n, e := s.fs.Read(ctx, r.Handle, r.Offset, buf)
	return &pb.ReadReply{Errno: int32(e), Data: buf[:n]}, nil
}

func (s *server) Write(ctx context.Context, r *pb.WriteRequest) (*pb.WriteReply, error) {
	if len(r.Data) > MaxChunk {
		return &pb.WriteReply{Errno: int32(errno.EINVAL)}, nil
	}
	n, end, e := s.fs.Write(ctx, r.Handle, r.Offset, r.Data, r.Append)
	return &pb.WriteReply{Errno: int32(e), Written: uint32(n), End: end}, nil
}

func (s *server) Fstat(ctx context.Context, r *pb.HandleRequest) (*pb.StatReply, error) {
	st, e := s.fs.Fstat(ctx, r.Handle)
	return &pb.StatReply{Errno: int32(e), Stat: toStat(st)}, nil
}

func (s *server) Close(ctx context.Context, r *pb.HandleRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Close(ctx, r.Handle))}, nil
}

func (s *server) Sync(ctx context.Context, r *pb.HandleRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Sync(ctx, r.Handle, r.DataOnly))}, nil
}

func (s *server) Make(ctx context.Context, r *pb.MakeRequest) (*pb.ErrnoReply, error) {
	var e errno.Errno
	switch r.Kind {
	case pb.MakeRequest_DIRECTORY:
		e = s.fs.Mkdir(ctx, r.Path, r.Perm)
	case pb.MakeRequest_SYMLINK:
		e = s.fs.Symlink(ctx, r.Path, r.Target)
	default:
		e = errno.EINVAL
	}
	return &pb.ErrnoReply{Errno: int32(e)}, nil
}

func (s *server) Unlink(ctx context.Context, r *pb.PathRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Unlink(ctx, r.Path))}, nil
}

func (s *server) Rmdir(ctx context.Context, r *pb.PathRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Rmdir(ctx, r.Path))}, nil
}

func (s *server) Rename(ctx context.Context, r *pb.RenameRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Rename(ctx, r.From, r.To))}, nil
}

func (s *server) Link(ctx context.Context, r *pb.LinkRequest) (*pb.ErrnoReply, error) {
	return &pb.ErrnoReply{Errno: int32(s.fs.Link(ctx, r.Target, r.Path))}, nil
}

func (s *server) SetAttr(ctx context.Context, r *pb.SetAttrRequest) (*pb.ErrnoReply, error) {
	a := vfs.SetAttr{Mask: vfs.SetAttrMask(r.Mask), Size: r.Size, Mode: r.Mode, Atime: r.Atime, Mtime: r.Mtime, Uid: r.Uid, Gid: r.Gid}
	return &pb.ErrnoReply{Errno: int32(s.fs.SetAttr(ctx, r.Path, r.Handle, r.ByHandle, a))}, nil
}
