package occlum

import (
	"context"
	"encoding/binary"
	"net/netip"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var resolveFuncs = []abi.Func{resolveCall}

// sizeofResolved is one entry of resolve's result: family (u16), zero
// (u16), address (16 bytes, IPv4 in the first 4).
const sizeofResolved = 20

var resolveCall = abi.Func{
	Name:    "resolve",
	Params:  []abi.Param{abi.I32("name"), abi.I32("name_len"), abi.I32("family"), abi.I32("out"), abi.I32("out_cap"), abi.I32("result.n")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if uint32(s[1]) > 1024 {
			return errno.EINVAL
		}
		name, e := abi.String(mod, uint32(s[0]), uint32(s[1]))
		if e != 0 {
			return e
		}
		fam := int(int32(s[2]))
		if fam != 0 && fam != socket.AF_INET && fam != socket.AF_INET6 {
			return errno.EAFNOSUPPORT
		}
		capacity := uint32(s[4])
		if capacity > 1024 {
			capacity = 1024
		}
		out, e := abi.Bytes(mod, uint32(s[3]), capacity*sizeofResolved)
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[5]), 4); e != 0 {
			return e
		}
		var addrs []netip.Addr
		if r := p.Kernel().Resolver; r != nil {
			addrs, e = r.Lookup(ctx, name, fam)
		} else if ip, err := netip.ParseAddr(name); err == nil {
			addrs = []netip.Addr{ip}
		} else {
			e = errno.EAGAIN
		}
		if e != 0 {
			return e
		}
		n := uint32(0)
		for _, a := range addrs {
			if n >= capacity {
				break
			}
			b := out[n*sizeofResolved : (n+1)*sizeofResolved]
			clear(b)
			if a.Is4() {
				binary.LittleEndian.PutUint16(b, socket.AF_INET)
				ip := a.As4()
				copy(b[4:], ip[:])
			} else {
				binary.LittleEndian.PutUint16(b, socket.AF_INET6)
				ip := a.As16()
				copy(b[4:], ip[:])
			}
			n++
		}
		return abi.PutU32(mod, uint32(s[5]), n)
	},
}
