package socket

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
)

func TestParseAddr(t *testing.T) {
	in4 := Addr{Family: AF_INET, IP: netip.MustParseAddr("127.0.0.1"), Port: 8080}.Marshal()
	in6 := Addr{Family: AF_INET6, IP: netip.MustParseAddr("::1"), Port: 443}.Marshal()
	un := Addr{Family: AF_UNIX, Path: "/tmp/s"}.Marshal()
	abs := Addr{Family: AF_UNIX, Path: "\x00name"}.Marshal()
	cases := []struct {
		name string
		b    []byte
		fam  int
		want Addr
		e    errno.Errno
	}{
		{"inet", in4, AF_INET, Addr{Family: AF_INET, IP: netip.MustParseAddr("127.0.0.1"), Port: 8080}, 0},
		{"inet longer", append(append([]byte{}, in4...), 0, 0, 0, 0), AF_INET, Addr{Family: AF_INET, IP: netip.MustParseAddr("127.0.0.1"), Port: 8080}, 0},
		{"inet short", in4[:15], AF_INET, Addr{}, errno.EINVAL},
		{"inet past storage", make([]byte, 129), AF_INET, Addr{}, errno.EINVAL},
		{"inet6 on inet", in6, AF_INET, Addr{}, errno.EAFNOSUPPORT},
		{"inet6", in6, AF_INET6, Addr{Family: AF_INET6, IP: netip.MustParseAddr("::1"), Port: 443}, 0},
		{"inet6 short", in6[:27], AF_INET6, Addr{}, errno.EINVAL},
		{"unix", un, AF_UNIX, Addr{Family: AF_UNIX, Path: "/tmp/s"}, 0},
		{"unix no NUL", un[:len(un)-1], AF_UNIX, Addr{Family: AF_UNIX, Path: "/tmp/s"}, 0},
		{"unix abstract", abs, AF_UNIX, Addr{Family: AF_UNIX, Path: "\x00name"}, 0},
		{"unix autobind", un[:2], AF_UNIX, Addr{Family: AF_UNIX}, 0},
		{"unix wrong family", in4, AF_UNIX, Addr{}, errno.EINVAL},
		{"one byte", []byte{2}, AF_INET, Addr{}, errno.EINVAL},
		{"unknown family", in4, 99, Addr{}, errno.EAFNOSUPPORT},
	}
	for _, c := range cases {
		got, e := ParseAddr(c.b, c.fam)
		if e != c.e || got != c.want {
			t.Errorf("%s: got %v, %v; want %v, %v", c.name, got, e, c.want, c.e)
		}
	}
	// A path fills sun_path at most: bytes past it are ignored.
	long := append([]byte{AF_UNIX, 0}, bytes.Repeat([]byte("a"), 126)...)
	if a, e := ParseAddr(long, AF_UNIX); e != 0 || len(a.Path) != MaxPathLen {
		t.Errorf("long path: %d bytes, %v", len(a.Path), e)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, a := range []Addr{
		{Family: AF_INET, IP: netip.MustParseAddr("10.1.2.3"), Port: 1},
		{Family: AF_INET6, IP: netip.MustParseAddr("2001:db8::7"), Port: 65535},
		{Family: AF_UNIX, Path: "sock"},
		{Family: AF_UNIX, Path: "\x00abs"},
	} {
		got, e := ParseAddr(a.Marshal(), int(a.Family))
		if e != 0 || got != a {
			t.Errorf("%v: round trip gave %v, %v", a, got, e)
		}
	}
	if n := len((Addr{Family: AF_UNIX, Path: "ab"}).Marshal()); n != 5 {
		t.Errorf("a path's length counts its NUL, as Linux: %d", n)
	}
}

func FuzzParseAddr(f *testing.F) {
	f.Add(Addr{Family: AF_INET, IP: netip.MustParseAddr("127.0.0.1"), Port: 80}.Marshal(), AF_INET)
	f.Add(Addr{Family: AF_INET6, IP: netip.MustParseAddr("fe80::1"), Port: 80}.Marshal(), AF_INET6)
	f.Add(Addr{Family: AF_UNIX, Path: "/x"}.Marshal(), AF_UNIX)
	f.Add([]byte{1, 0, 0, 'a'}, AF_UNIX)
	f.Fuzz(func(t *testing.T, b []byte, fam int) {
		a, e := ParseAddr(b, fam)
		if e != 0 {
			return
		}
		if int(a.Family) != fam {
			t.Fatalf("family %d from a %d socket", a.Family, fam)
		}
		if len(a.Path) > MaxPathLen {
			t.Fatalf("path of %d bytes", len(a.Path))
		}
		// What parses re-encodes to something that parses the same.
		if b2, e := ParseAddr(a.Marshal(), fam); e != 0 || (b2.Family != a.Family || b2.Port != a.Port || b2.Path != a.Path) {
			t.Fatalf("re-encoding %v gave %v, %v", a, b2, e)
		}
	})
}

func TestParseControl(t *testing.T) {
	rights := func(fds ...uint32) []byte {
		b, _ := PutCmsg(nil, 4096, SOL_SOCKET, SCM_RIGHTS, func() []byte {
			var d []byte
			for _, fd := range fds {
				d = append(d, byte(fd), byte(fd>>8), byte(fd>>16), byte(fd>>24))
			}
			return d
		}())
		return b
	}
	msgs, e := ParseControl(append(rights(3, 4), rights(5)...))
	if e != 0 || len(msgs) != 2 || len(msgs[0].FDs) != 2 || msgs[1].FDs[0] != 5 {
		t.Fatalf("two messages: %+v, %v", msgs, e)
	}
	bad := rights(3)
	bad[0] = 11 // shorter than a header
	if _, e := ParseControl(bad); e != errno.EINVAL {
		t.Errorf("short header: %v", e)
	}
	bad = rights(3)
	bad[0] = 200 // past the buffer
	if _, e := ParseControl(bad); e != errno.EINVAL {
		t.Errorf("long header: %v", e)
	}
	many := make([]uint32, MaxRightsPerMessage+1)
	if _, e := ParseControl(rights(many...)); e != errno.EINVAL {
		t.Errorf("%d descriptors: %v", len(many), e)
	}
	odd, _ := PutCmsg(nil, 100, SOL_SOCKET, SCM_RIGHTS, []byte{1, 2, 3})
	if _, e := ParseControl(odd); e != errno.EINVAL {
		t.Errorf("partial descriptor: %v", e)
	}
	other, _ := PutCmsg(nil, 100, 41, 1, []byte{1, 2, 3, 4})
	if _, e := ParseControl(other); e != errno.EINVAL {
		t.Errorf("unknown level: %v", e)
	}
}

func FuzzParseControl(f *testing.F) {
	b, _ := PutCmsg(nil, 64, SOL_SOCKET, SCM_RIGHTS, []byte{3, 0, 0, 0})
	f.Add(b)
	c, _ := PutCmsg(nil, 64, SOL_SOCKET, SCM_CREDENTIALS, make([]byte, 12))
	f.Add(c)
	f.Add(append(b, c...))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, e := ParseControl(b)
		if e != 0 {
			return
		}
		n := 0
		for _, m := range msgs {
			n += len(m.FDs)
		}
		if n > MaxRightsPerMessage {
			t.Fatalf("%d descriptors accepted", n)
		}
	})
}

func TestOptions(t *testing.T) {
	var o Options
	if v, _ := o.Get(SOL_SOCKET, SO_RCVBUF); int32(v[0])|int32(v[1])<<8|int32(v[2])<<16 != DefaultBuffer {
		t.Errorf("default SO_RCVBUF %v", v)
	}
	o.Set(SOL_SOCKET, SO_RCVBUF, Int32(10000))
	if v := o.Int(SOL_SOCKET, SO_RCVBUF); v != 20000 {
		t.Errorf("SO_RCVBUF reads back doubled, as Linux: %d", v)
	}
	if e := o.Set(SOL_SOCKET, SO_REUSEADDR, []byte{1, 0}); e != errno.EINVAL {
		t.Errorf("2-byte int: %v", e)
	}
	o.Set(SOL_SOCKET, SO_REUSEADDR, Int32(7))
	if o.Int(SOL_SOCKET, SO_REUSEADDR) != 1 {
		t.Error("a boolean option reads back as 1")
	}
	tv := make([]byte, SizeofTimeval)
	tv[0], tv[8] = 2, 0x10
	if e := o.Set(SOL_SOCKET, SO_RCVTIMEO, tv); e != 0 {
		t.Fatal(e)
	}
	if r, _ := o.Timeouts(); r.Seconds() < 2 || r.Seconds() > 2.001 {
		t.Errorf("SO_RCVTIMEO %v", r)
	}
	tv[8], tv[9], tv[10] = 0x40, 0x42, 0x0f // 1000000 µs
	if e := o.Set(SOL_SOCKET, SO_RCVTIMEO, tv); e != errno.EDOM {
		t.Errorf("usec out of range: %v", e)
	}
	if _, e := o.Get(SOL_SOCKET, 999); e != errno.ENOPROTOOPT {
		t.Errorf("unknown option: %v", e)
	}
}
