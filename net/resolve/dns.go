package resolve

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/occlumgo/occlum/core/errno"
)

// maxCNAME bounds the CNAME chain an answer may lead through.
const maxCNAME = 8

// dns asks the configured servers for name (and the search list when
// name has fewer dots than ndots).
func (r *Resolver) dns(ctx context.Context, c config, name string, family int) ([]netip.Addr, errno.Errno) {
	candidates := []string{name}
	if strings.Count(name, ".") < c.ndots {
		for _, d := range c.search {
			candidates = append(candidates, name+"."+d)
		}
	}
	result := errno.Errno(errno.ENOENT)
	for _, cand := range candidates {
		var addrs []netip.Addr
		var last errno.Errno = errno.ENOENT
		types := []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA}
		switch family {
		case Inet:
			types = types[:1]
		case Inet6:
			types = types[1:]
		}
		for _, t := range types {
			got, e := r.query(ctx, c, cand, t)
			if e != 0 && e != errno.ENOENT {
				last = e
			}
			addrs = append(addrs, got...)
		}
		if len(addrs) > 0 {
			return sortAddrs(addrs), 0
		}
		if last == errno.EAGAIN {
			result = errno.EAGAIN
		}
	}
	return nil, result
}

// query asks each server in turn, attempts times, for records of type t.
func (r *Resolver) query(ctx context.Context, c config, name string, t dnsmessage.Type) ([]netip.Addr, errno.Errno) {
	q, id, err := buildQuery(name, t)
	if err != nil {
		return nil, errno.EINVAL
	}
	exchange := r.Exchange
	if exchange == nil {
		exchange = hostExchange
	}
	for attempt := 0; attempt < c.attempts; attempt++ {
		for _, srv := range c.servers {
			if r.Allow != nil && !r.Allow(srv) {
				continue
			}
			qctx, cancel := context.WithTimeout(ctx, c.timeout)
			ans, err := exchange(qctx, srv, q, false)
			if err == nil {
				var addrs []netip.Addr
				var e errno.Errno
				var truncated bool
				addrs, truncated, e = ParseAnswer(ans, id, name, t)
				if truncated {
					if ans, err = exchange(qctx, srv, q, true); err == nil {
						addrs, _, e = ParseAnswer(ans, id, name, t)
					} else {
						e = errno.EAGAIN
					}
				}
				cancel()
				if e != errno.EAGAIN {
					return addrs, e
				}
				continue
			}
			cancel()
		}
	}
	return nil, errno.EAGAIN
}

func buildQuery(name string, t dnsmessage.Type) ([]byte, uint16, error) {
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	n, err := dnsmessage.NewName(name + ".")
	if err != nil {
		return nil, 0, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, 0, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: t, Class: dnsmessage.ClassINET}); err != nil {
		return nil, 0, err
	}
	msg, err := b.Finish()
	return msg, id, err
}

// ParseAnswer checks a DNS answer to the query (id, name, t) and returns
// the addresses it gives name, following CNAMEs. truncated asks the
// caller to retry over TCP. Nothing in msg is trusted.
//
// # Errors
//   - ENOENT: NXDOMAIN, or no record of type t for name.
//   - EAGAIN: a malformed or mismatched answer, or a server failure.
func ParseAnswer(msg []byte, id uint16, name string, t dnsmessage.Type) (addrs []netip.Addr, truncated bool, e errno.Errno) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.ID != id || !h.Response {
		return nil, false, errno.EAGAIN
	}
	if h.Truncated {
		return nil, true, errno.EAGAIN
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return nil, false, errno.ENOENT
	default:
		return nil, false, errno.EAGAIN
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 || qs[0].Type != t || !strings.EqualFold(qs[0].Name.String(), name+".") {
		return nil, false, errno.EAGAIN
	}
	target := strings.ToLower(name + ".")
	chain := 0
	for i := 0; i < 256; i++ {
		rh, err := p.AnswerHeader()
		if errors.Is(err, dnsmessage.ErrSectionDone) {
			break
		}
		if err != nil {
			return nil, false, errno.EAGAIN
		}
		owner := strings.ToLower(rh.Name.String())
		switch {
		case rh.Type == dnsmessage.TypeCNAME && owner == target && chain < maxCNAME:
			r, err := p.CNAMEResource()
			if err != nil {
				return nil, false, errno.EAGAIN
			}
			target = strings.ToLower(r.CNAME.String())
			chain++
		case rh.Type == dnsmessage.TypeA && t == dnsmessage.TypeA && owner == target:
			r, err := p.AResource()
			if err != nil {
				return nil, false, errno.EAGAIN
			}
			if len(addrs) < MaxAddrs {
				addrs = append(addrs, netip.AddrFrom4(r.A))
			}
		case rh.Type == dnsmessage.TypeAAAA && t == dnsmessage.TypeAAAA && owner == target:
			r, err := p.AAAAResource()
			if err != nil {
				return nil, false, errno.EAGAIN
			}
			if len(addrs) < MaxAddrs {
				addrs = append(addrs, netip.AddrFrom16(r.AAAA))
			}
		default:
			if err := p.SkipAnswer(); err != nil {
				return nil, false, errno.EAGAIN
			}
		}
	}
	if len(addrs) == 0 {
		return nil, false, errno.ENOENT
	}
	return addrs, false, 0
}

// hostExchange sends a query over the host network.
func hostExchange(ctx context.Context, server netip.AddrPort, query []byte, tcp bool) ([]byte, error) {
	network := "udp"
	if tcp {
		network = "tcp"
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, server.String())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if tcp {
		msg := make([]byte, 2+len(query))
		binary.BigEndian.PutUint16(msg, uint16(len(query)))
		copy(msg[2:], query)
		if _, err := c.Write(msg); err != nil {
			return nil, err
		}
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return nil, err
		}
		ans := make([]byte, binary.BigEndian.Uint16(l[:]))
		_, err := io.ReadFull(c, ans)
		return ans, err
	}
	if _, err := c.Write(query); err != nil {
		return nil, err
	}
	buf := make([]byte, 1232)
	n, err := c.Read(buf)
	return buf[:n], err
}
