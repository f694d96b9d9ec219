package socket

import (
	"encoding/binary"

	"github.com/occlumgo/occlum/core/errno"
)

// SizeofCmsghdr is the guest's struct cmsghdr on wasm32 (len, level,
// type: three 32-bit fields); data and headers align to 4 bytes.
const SizeofCmsghdr = 12

// CmsgSpace is CMSG_SPACE(n) on wasm32.
func CmsgSpace(n int) int { return SizeofCmsghdr + (n+3)&^3 }

// ControlMsg is one parsed control message a guest sends.
type ControlMsg struct {
	Level, Type int32
	// FDs for SCM_RIGHTS; Cred for SCM_CREDENTIALS.
	FDs  []int32
	Cred Cred
}

// ParseControl decodes the control buffer of sendmsg(2). Nothing in b is
// trusted.
//
// # Errors
//   - EINVAL: a header's length is shorter than a header or runs past
//     the buffer, an unknown level or type, a SCM_RIGHTS payload that is
//     not whole descriptors or holds more than MaxRightsPerMessage, a
//     SCM_CREDENTIALS payload of the wrong size.
func ParseControl(b []byte) ([]ControlMsg, errno.Errno) {
	var out []ControlMsg
	nfds := 0
	for off := 0; off+SizeofCmsghdr <= len(b); {
		l := binary.LittleEndian.Uint32(b[off:])
		if l < SizeofCmsghdr || uint64(off)+uint64(l) > uint64(len(b)) {
			return nil, errno.EINVAL
		}
		m := ControlMsg{Level: int32(binary.LittleEndian.Uint32(b[off+4:])), Type: int32(binary.LittleEndian.Uint32(b[off+8:]))}
		data := b[off+SizeofCmsghdr : off+int(l)]
		if m.Level != SOL_SOCKET {
			return nil, errno.EINVAL
		}
		switch m.Type {
		case SCM_RIGHTS:
			if len(data)%4 != 0 {
				return nil, errno.EINVAL
			}
			nfds += len(data) / 4
			if nfds > MaxRightsPerMessage {
				return nil, errno.EINVAL
			}
			for i := 0; i < len(data); i += 4 {
				m.FDs = append(m.FDs, int32(binary.LittleEndian.Uint32(data[i:])))
			}
		case SCM_CREDENTIALS:
			if len(data) != 12 {
				return nil, errno.EINVAL
			}
			m.Cred = Cred{PID: int32(binary.LittleEndian.Uint32(data)), UID: binary.LittleEndian.Uint32(data[4:]), GID: binary.LittleEndian.Uint32(data[8:])}
		default:
			return nil, errno.EINVAL
		}
		out = append(out, m)
		next := off + (int(l)+3)&^3
		if next <= off {
			break
		}
		off = next
	}
	return out, 0
}

// PutCmsg appends a control message to b if it fits in room bytes; it
// reports whether it did.
func PutCmsg(b []byte, room int, level, typ int32, data []byte) ([]byte, bool) {
	space := CmsgSpace(len(data))
	if len(b)+SizeofCmsghdr+len(data) > room {
		return b, false
	}
	h := make([]byte, SizeofCmsghdr)
	binary.LittleEndian.PutUint32(h, uint32(SizeofCmsghdr+len(data)))
	binary.LittleEndian.PutUint32(h[4:], uint32(level))
	binary.LittleEndian.PutUint32(h[8:], uint32(typ))
	b = append(b, h...)
	b = append(b, data...)
	for pad := space - SizeofCmsghdr - len(data); pad > 0 && len(b) < room; pad-- {
		b = append(b, 0)
	}
	return b, true
}
