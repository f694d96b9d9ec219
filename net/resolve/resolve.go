// Package resolve turns host names into addresses for LibOS programs, as
// a user expects of a Linux system: numeric addresses, then the image's
// /etc/hosts, then DNS to the name servers of the image's
// /etc/resolv.conf (over UDP, over TCP when an answer is truncated).
//
// The files come from the LibOS namespace (measured with the image), not
// from the host; DNS answers come from the untrusted network and are
// parsed by golang.org/x/net/dns/dnsmessage and checked (the ID and
// question must match ours, only A and AAAA records for the name asked,
// or the CNAME chain it leads to, are taken, with bounded counts), so a
// malicious answer can at worst name a wrong address for a name it
// already controls, never crash the LibOS.
package resolve

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Families a lookup may ask for (Linux values).
const (
	Unspec = 0
	Inet   = 2
	Inet6  = 10
)

// MaxAddrs bounds the addresses one lookup returns.
const MaxAddrs = 64

// maxFile bounds /etc/hosts and /etc/resolv.conf.
const maxFile = 1 << 20

// Resolver looks names up. The zero value is not usable: set NS.
type Resolver struct {
	// NS holds /etc/hosts and /etc/resolv.conf.
	NS *vfs.Namespace
	// Exchange sends a DNS query to server and returns the answer (nil:
	// over the host network).
	Exchange func(ctx context.Context, server netip.AddrPort, query []byte, tcp bool) ([]byte, error)
	// Allow, if set, says which name servers may be asked (Occlum.json's
	// network policy: a server it refuses is skipped).
	Allow func(server netip.AddrPort) bool
}

// Lookup returns the addresses of name for family (IPv4 ones first when
// family is Unspec).
//
// # Errors
//   - EINVAL: name is empty, too long or not a host name.
//   - ENOENT: no such name.
//   - EAGAIN: no answer now (no server answered, or SERVFAIL).
func (r *Resolver) Lookup(ctx context.Context, name string, family int) ([]netip.Addr, errno.Errno) {
	if ip, err := netip.ParseAddr(name); err == nil {
		if !wanted(ip, family) {
			return nil, errno.ENOENT
		}
		return []netip.Addr{ip}, 0
	}
	if !validName(name) {
		return nil, errno.EINVAL
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if addrs := sortAddrs(filter(r.hosts(name), family)); len(addrs) > 0 {
		return addrs, 0
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return sortAddrs(filter([]netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}, family)), 0
	}
	conf := r.conf()
	if len(conf.servers) == 0 {
		return nil, errno.ENOENT
	}
	return r.dns(ctx, conf, name, family)
}

func wanted(ip netip.Addr, family int) bool {
	switch family {
	case Inet:
		return ip.Is4()
	case Inet6:
		return ip.Is6()
	}
	return true
}

func filter(addrs []netip.Addr, family int) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		if wanted(a, family) {
			out = append(out, a)
		}
	}
	return out
}

// sortAddrs puts IPv4 first (a stable order, as getaddrinfo's default
// on a host without IPv6 routes), without duplicates, at most MaxAddrs.
func sortAddrs(addrs []netip.Addr) []netip.Addr {
	var v4, v6 []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		if seen[a] {
			continue
		}
		seen[a] = true
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := append(v4, v6...)
	if len(out) > MaxAddrs {
		out = out[:MaxAddrs]
	}
	return out
}

// validName reports whether name is a syntactically valid host name.
func validName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// readFile reads a small file of the namespace ("" if absent).
func (r *Resolver) readFile(path string) []byte {
	f, e := r.NS.Open(path, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return nil
	}
	defer f.DecRef()
	var buf bytes.Buffer
	b := make([]byte, 32<<10)
	for buf.Len() < maxFile {
		n, e := f.Read(b)
		buf.Write(b[:n])
		if e != 0 || n == 0 {
			break
		}
	}
	return buf.Bytes()
}

// hosts returns name's addresses in /etc/hosts.
func (r *Resolver) hosts(name string) []netip.Addr {
	return ParseHosts(bytes.NewReader(r.readFile("/etc/hosts")), name)
}

// ParseHosts returns the addresses an /etc/hosts file gives name
// (lower case, without a final dot).
func ParseHosts(rd io.Reader, name string) []netip.Addr {
	var out []netip.Addr
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(fields[0])
		if err != nil {
			continue
		}
		ip = ip.WithZone("")
		for _, h := range fields[1:] {
			if strings.TrimSuffix(strings.ToLower(h), ".") == name {
				out = append(out, ip)
				break
			}
		}
	}
	return out
}

// config is what resolv.conf says.
type config struct {
	servers  []netip.AddrPort
	search   []string
	ndots    int
	timeout  time.Duration
	attempts int
}

func (r *Resolver) conf() config {
	return ParseResolvConf(bytes.NewReader(r.readFile("/etc/resolv.conf")))
}

// ParseResolvConf reads nameserver (at most 3, as glibc), search, and
// options ndots, timeout and attempts.
func ParseResolvConf(rd io.Reader) config {
	c := config{ndots: 1, timeout: 5 * time.Second, attempts: 2}
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], ";") {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if ip, err := netip.ParseAddr(fields[1]); err == nil && len(c.servers) < 3 {
				c.servers = append(c.servers, netip.AddrPortFrom(ip.WithZone(""), 53))
			}
		case "search", "domain":
			c.search = nil
			for _, d := range fields[1:] {
				if validName(d) && len(c.search) < 6 {
					c.search = append(c.search, strings.TrimSuffix(strings.ToLower(d), "."))
				}
			}
		case "options":
			for _, o := range fields[1:] {
				k, v, _ := strings.Cut(o, ":")
				n := atoi(v)
				switch {
				case k == "ndots" && n >= 0:
					c.ndots = min(n, 15)
				case k == "timeout" && n >= 1:
					c.timeout = time.Duration(min(n, 30)) * time.Second
				case k == "attempts" && n >= 1:
					c.attempts = min(n, 5)
				}
			}
		}
	}
	return c
}

func atoi(s string) int {
	n := 0
	if s == "" || len(s) > 4 {
		return -1
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
