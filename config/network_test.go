package config

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

func TestNetworkPolicy(t *testing.T) {
	c, err := Parse([]byte(`{"network": {"listen": ["127.0.0.1:8080", "0.0.0.0:9000-9009", "[::]:*"],
		"connect": ["10.0.0.0/8:443", "[fd00::/8]:*", "192.0.2.1:53"]}}`), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort
	for _, tc := range []struct {
		listen bool
		ap     string
		want   bool
	}{
		{true, "127.0.0.1:8080", true},
		{true, "127.0.0.1:8081", false},
		{true, "0.0.0.0:9005", true},
		{true, "[::]:1", true},
		{false, "10.1.2.3:443", true},
		{false, "[::ffff:10.1.2.3]:443", true}, // mapped: as IPv4
		{false, "10.1.2.3:80", false},
		{false, "[fd12::1]:22", true},
		{false, "192.0.2.2:53", false},
	} {
		got := c.Network.AllowConnect(ap(tc.ap))
		if tc.listen {
			got = c.Network.AllowListen(ap(tc.ap))
		}
		if got != tc.want {
			t.Errorf("listen=%v %s: %v, want %v", tc.listen, tc.ap, got, tc.want)
		}
	}
	// It is measured: the canonical encoding carries it and parses back.
	canon := c.Canonical()
	if !bytes.Contains(canon, []byte(`"10.0.0.0/8:443"`)) {
		t.Errorf("canonical encoding lacks the policy: %s", canon)
	}
	c2, err := Parse(canon, testOpts)
	if err != nil || !bytes.Equal(c2.Canonical(), canon) {
		t.Fatalf("round trip: %v", err)
	}
	// Absent: everything; an empty list: nothing.
	def, _ := Parse([]byte(`{}`), testOpts)
	if def.Network != nil || !def.Network.AllowConnect(ap("1.2.3.4:5")) || bytes.Contains(def.Canonical(), []byte("network")) {
		t.Error("without a policy everything is allowed and nothing is measured")
	}
	none, err := Parse([]byte(`{"network": {"connect": []}}`), testOpts)
	if err != nil || none.Network.AllowConnect(ap("1.2.3.4:5")) || !none.Network.AllowListen(ap("0.0.0.0:80")) {
		t.Errorf("an empty connect list: %v", err)
	}
	if again, _ := Parse(none.Canonical(), testOpts); again.Network.AllowConnect(ap("1.2.3.4:5")) {
		t.Error("an empty list became allow-all through the canonical encoding")
	}
}

func TestNetworkPolicyErrors(t *testing.T) {
	for _, bad := range []string{`"1.2.3.4"`, `"1.2.3.4:99999"`, `"1.2.3:80"`, `"10.0.0.0/99:1"`, `"*:9-1"`, `"[fe80::1%eth0]:1"`, `5`} {
		_, err := Parse([]byte(`{"network": {"listen": [`+bad+`]}}`), testOpts)
		if err == nil || !strings.Contains(err.Error(), "network.listen") {
			t.Errorf("%s: %v; want an error naming network.listen", bad, err)
		}
	}
}
