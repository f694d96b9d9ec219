package resolve

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// namespace returns a LibOS namespace with /etc/hosts and /etc/resolv.conf.
func namespace(t *testing.T, hosts, resolv string) *vfs.Namespace {
	t.Helper()
	ns := vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, "ramfs")
	if e := ns.Mkdir("/etc", 0o755); e != 0 {
		t.Fatal(e)
	}
	for path, data := range map[string]string{"/etc/hosts": hosts, "/etc/resolv.conf": resolv} {
		if data == "" {
			continue
		}
		f, e := ns.Open(path, vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil)
		if e != 0 {
			t.Fatal(e)
		}
		f.Write([]byte(data))
		f.DecRef()
	}
	return ns
}

// server answers queries from a table: name -> records; "nx" names are
// NXDOMAIN, "fail" names SERVFAIL.
type server struct {
	records map[string][]dnsmessage.Resource
	mangle  func(ans []byte) []byte
	queries int
	tcp     int
}

func (s *server) exchange(_ context.Context, _ netip.AddrPort, q []byte, tcp bool) ([]byte, error) {
	s.queries++
	if tcp {
		s.tcp++
	}
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, err
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil, errors.New("bad query")
	}
	name := qs[0].Name.String()
	rh := dnsmessage.Header{ID: h.ID, Response: true}
	switch {
	case strings.HasPrefix(name, "nx."):
		rh.RCode = dnsmessage.RCodeNameError
	case strings.HasPrefix(name, "fail."):
		rh.RCode = dnsmessage.RCodeServerFailure
	case strings.HasPrefix(name, "big.") && !tcp:
		rh.Truncated = true
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.StartQuestions()
	b.Question(qs[0])
	b.StartAnswers()
	for _, r := range s.records[name] {
		if r.Header.Type != qs[0].Type && r.Header.Type != dnsmessage.TypeCNAME {
			continue
		}
		switch body := r.Body.(type) {
		case *dnsmessage.AResource:
			b.AResource(r.Header, *body)
		case *dnsmessage.AAAAResource:
			b.AAAAResource(r.Header, *body)
		case *dnsmessage.CNAMEResource:
			b.CNAMEResource(r.Header, *body)
			for _, r2 := range s.records[body.CNAME.String()] {
				if a, ok := r2.Body.(*dnsmessage.AResource); ok && qs[0].Type == dnsmessage.TypeA {
					b.AResource(r2.Header, *a)
				}
			}
		}
	}
	ans, err := b.Finish()
	if s.mangle != nil {
		ans = s.mangle(ans)
	}
	return ans, err
}

func a(name string, ip string) dnsmessage.Resource {
	n := dnsmessage.MustNewName(name)
	addr := netip.MustParseAddr(ip)
	if addr.Is4() {
		return dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: n, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}, Body: &dnsmessage.AResource{A: addr.As4()}}
	}
	return dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: n, Type: dnsmessage.TypeAAAA, Class: dnsmessage.ClassINET}, Body: &dnsmessage.AAAAResource{AAAA: addr.As16()}}
}

func cname(name, target string) dnsmessage.Resource {
	return dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Type: dnsmessage.TypeCNAME, Class: dnsmessage.ClassINET},
		Body: &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName(target)}}
}

func TestLookup(t *testing.T) {
	srv := &server{records: map[string][]dnsmessage.Resource{
		"db.example.":     {a("db.example.", "10.0.0.5"), a("db.example.", "fd00::5")},
		"www.example.":    {cname("www.example.", "web.example.")},
		"web.example.":    {a("web.example.", "10.0.0.9")},
		"evil.example.":   {a("other.example.", "6.6.6.6")},
		"big.example.":    {a("big.example.", "10.0.0.7")},
		"short.corp.lan.": {a("short.corp.lan.", "10.1.1.1")},
	}}
	ns := namespace(t, "127.0.0.1 localhost\n10.9.9.9 Cache.Internal cache # comment\n::1 localhost ip6-localhost\nbogus line\n",
		"# resolver\nnameserver 192.0.2.53\nsearch corp.lan\noptions ndots:1 timeout:1 attempts:1\n")
	r := &Resolver{NS: ns, Exchange: srv.exchange}
	ctx := context.Background()
	cases := []struct {
		name   string
		family int
		want   string
		e      errno.Errno
	}{
		{"192.168.1.1", Unspec, "192.168.1.1", 0},
		{"::1", Inet, "", errno.ENOENT},
		{"localhost", Unspec, "127.0.0.1 ::1", 0},
		{"localhost", Inet6, "::1", 0},
		{"cache.internal", Unspec, "10.9.9.9", 0},
		{"CACHE", Inet, "10.9.9.9", 0},
		{"db.example", Unspec, "10.0.0.5 fd00::5", 0},
		{"db.example", Inet, "10.0.0.5", 0},
		{"www.example", Inet, "10.0.0.9", 0},
		{"evil.example", Inet, "", errno.ENOENT}, // records for another name are ignored
		{"nx.example", Unspec, "", errno.ENOENT},
		{"fail.example", Inet, "", errno.EAGAIN},
		{"big.example", Inet, "10.0.0.7", 0}, // truncated over UDP: asked again over TCP
		{"short", Inet, "10.1.1.1", 0},       // through the search list
		{"", Unspec, "", errno.EINVAL},
		{"bad name!", Unspec, "", errno.EINVAL},
		{strings.Repeat("a", 64) + ".example", Unspec, "", errno.EINVAL},
	}
	for _, c := range cases {
		got, e := r.Lookup(ctx, c.name, c.family)
		var s []string
		for _, ip := range got {
			s = append(s, ip.String())
		}
		if e != c.e || strings.Join(s, " ") != c.want {
			t.Errorf("Lookup(%q, %d) = %v, %v; want %q, %v", c.name, c.family, s, e, c.want, c.e)
		}
	}
	if srv.tcp == 0 {
		t.Error("a truncated answer was not asked again over TCP")
	}
}

// TestHostileAnswers: a wrong ID, garbage and an answer to another
// question are never taken.
func TestHostileAnswers(t *testing.T) {
	ns := namespace(t, "", "nameserver 192.0.2.53\noptions attempts:1 timeout:1\n")
	for name, mangle := range map[string]func([]byte) []byte{
		"wrong id":  func(b []byte) []byte { b[0] ^= 0xff; return b },
		"garbage":   func(b []byte) []byte { return []byte{1, 2, 3} },
		"truncated": func(b []byte) []byte { return b[:len(b)-3] },
		"not a response": func(b []byte) []byte {
			b[2] &^= 0x80
			return b
		},
	} {
		srv := &server{records: map[string][]dnsmessage.Resource{"db.example.": {a("db.example.", "10.0.0.5")}}, mangle: mangle}
		r := &Resolver{NS: ns, Exchange: srv.exchange}
		if got, e := r.Lookup(context.Background(), "db.example", Inet); e != errno.EAGAIN || len(got) != 0 {
			t.Errorf("%s: %v, %v; want EAGAIN", name, got, e)
		}
	}
}

func TestNoConfig(t *testing.T) {
	r := &Resolver{NS: namespace(t, "", ""), Exchange: func(context.Context, netip.AddrPort, []byte, bool) ([]byte, error) {
		t.Fatal("no server is configured, yet one was asked")
		return nil, nil
	}}
	if got, e := r.Lookup(context.Background(), "localhost", Inet); e != 0 || len(got) != 1 || got[0].String() != "127.0.0.1" {
		t.Errorf("localhost without /etc/hosts: %v, %v", got, e)
	}
	if _, e := r.Lookup(context.Background(), "example.com", Unspec); e != errno.ENOENT {
		t.Errorf("no name server: %v", e)
	}
}

func FuzzParseAnswer(f *testing.F) {
	srv := &server{records: map[string][]dnsmessage.Resource{
		"db.example.":  {a("db.example.", "10.0.0.5")},
		"www.example.": {cname("www.example.", "web.example.")},
		"web.example.": {a("web.example.", "10.0.0.9")},
	}}
	for _, name := range []string{"db.example", "www.example", "nx.example"} {
		q, _, _ := buildQuery(name, dnsmessage.TypeA)
		ans, _ := srv.exchange(context.Background(), netip.AddrPort{}, q, false)
		f.Add(ans, name)
	}
	f.Fuzz(func(t *testing.T, msg []byte, name string) {
		var id uint16
		if len(msg) >= 2 {
			id = uint16(msg[0])<<8 | uint16(msg[1])
		}
		addrs, _, e := ParseAnswer(msg, id, name, dnsmessage.TypeA)
		if e == 0 && len(addrs) == 0 || len(addrs) > MaxAddrs {
			t.Fatalf("%d addresses with %v", len(addrs), e)
		}
		for _, a := range addrs {
			if !a.Is4() {
				t.Fatalf("an A query gave %v", a)
			}
		}
	})
}

func FuzzParseHostsAndResolvConf(f *testing.F) {
	f.Add("127.0.0.1 localhost\n::1 localhost\n", "nameserver 1.1.1.1\nsearch a.b\noptions ndots:2\n")
	f.Add("#\n\n10.0.0.1\tfoo bar\n", "nameserver ::1\nnameserver x\noptions timeout:99999\n")
	f.Fuzz(func(t *testing.T, hosts, resolv string) {
		for _, ip := range ParseHosts(strings.NewReader(hosts), "localhost") {
			if !ip.IsValid() {
				t.Fatal("an invalid address")
			}
		}
		c := ParseResolvConf(strings.NewReader(resolv))
		if len(c.servers) > 3 || c.ndots > 15 || c.attempts > 5 || c.attempts < 1 || c.timeout <= 0 {
			t.Fatalf("config out of bounds: %+v", c)
		}
	})
}

func TestAllow(t *testing.T) {
	srv := &server{records: map[string][]dnsmessage.Resource{"db.example.": {a("db.example.", "10.0.0.5")}}}
	r := &Resolver{NS: namespace(t, "", "nameserver 192.0.2.53\noptions attempts:1\n"), Exchange: srv.exchange,
		Allow: func(netip.AddrPort) bool { return false }}
	if _, e := r.Lookup(context.Background(), "db.example", Inet); e != errno.EAGAIN || srv.queries != 0 {
		t.Errorf("a refused server: %v after %d queries", e, srv.queries)
	}
}
