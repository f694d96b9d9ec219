package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Network is "network": which addresses the instance's sockets may listen
// on and connect (or send) to. It is part of the measured configuration,
// so the host cannot change it. Without the section everything is
// allowed; a list that is present allows only what it names (an empty
// list allows nothing). Connections between LibOS processes on loopback
// addresses, which never leave the LibOS, are not subject to it.
type Network struct {
	Listen  []NetRule // "listen"
	Connect []NetRule // "connect"
}

// NetRule is one "ADDRESS:PORTS" entry: ADDRESS is an IP address, a
// prefix (10.0.0.0/8, [fd00::/8]) or "*"; PORTS a port, a range
// (8000-8099) or "*". The rule "*" alone is "*:*".
type NetRule struct {
	Any            bool         // every address
	Prefix         netip.Prefix // when not Any
	PortLo, PortHi uint16
}

// ParseNetRule parses one rule.
func ParseNetRule(s string) (NetRule, error) {
	if s == "*" {
		return NetRule{Any: true, PortLo: 0, PortHi: 65535}, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return NetRule{}, fmt.Errorf("%q is not ADDRESS:PORTS (write \"*\" for everything)", s)
	}
	host, ports := s[:i], s[i+1:]
	var r NetRule
	switch {
	case host == "*":
		r.Any = true
	default:
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if strings.Contains(host, "/") {
			p, err := netip.ParsePrefix(host)
			if err != nil {
				return NetRule{}, fmt.Errorf("%q: bad prefix %q", s, host)
			}
			r.Prefix = p.Masked()
		} else {
			ip, err := netip.ParseAddr(host)
			if err != nil || ip.Zone() != "" {
				return NetRule{}, fmt.Errorf("%q: bad address %q", s, host)
			}
			r.Prefix = netip.PrefixFrom(ip, ip.BitLen())
		}
	}
	switch {
	case ports == "*":
		r.PortLo, r.PortHi = 0, 65535
	default:
		lo, hi, isRange := strings.Cut(ports, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return NetRule{}, fmt.Errorf("%q: bad ports %q (a port, LOW-HIGH, or *)", s, ports)
		}
		r.PortLo, r.PortHi = uint16(a), uint16(b)
	}
	return r, nil
}

// String writes the rule as it is parsed.
func (r NetRule) String() string {
	host := "*"
	if !r.Any {
		host = r.Prefix.String()
		if r.Prefix.IsSingleIP() {
			host = r.Prefix.Addr().String()
		}
		if r.Prefix.Addr().Is6() {
			host = "[" + host + "]"
		}
	}
	ports := "*"
	if r.PortLo != 0 || r.PortHi != 65535 {
		ports = strconv.Itoa(int(r.PortLo))
		if r.PortHi != r.PortLo {
			ports += "-" + strconv.Itoa(int(r.PortHi))
		}
	}
	if r.Any && ports == "*" {
		return "*"
	}
	return host + ":" + ports
}

// Matches reports whether ap falls under the rule. An IPv4-mapped IPv6
// address matches as the IPv4 address.
func (r NetRule) Matches(ap netip.AddrPort) bool {
	if ap.Port() < r.PortLo || ap.Port() > r.PortHi {
		return false
	}
	if r.Any {
		return true
	}
	ip := ap.Addr().WithZone("")
	if r.Prefix.Addr().Is4() {
		ip = ip.Unmap()
	}
	return r.Prefix.Contains(ip)
}

func matchAny(rules []NetRule, ap netip.AddrPort) bool {
	for _, r := range rules {
		if r.Matches(ap) {
			return true
		}
	}
	return false
}

// AllowListen reports whether a socket may bind to or listen on ap (a
// nil Network, or no "listen" list, allows all).
func (n *Network) AllowListen(ap netip.AddrPort) bool {
	return n == nil || n.Listen == nil || matchAny(n.Listen, ap)
}

// AllowConnect reports whether a socket may connect or send to ap.
func (n *Network) AllowConnect(ap netip.AddrPort) bool {
	return n == nil || n.Connect == nil || matchAny(n.Connect, ap)
}

// ruleStrings encodes a list: nil (absent) stays nil.
func ruleStrings(rules []NetRule) *[]string {
	if rules == nil {
		return nil
	}
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.String()
	}
	return &out
}
