/* getprotobyname, getprotobynumber and getprotoent: the image's
 * /etc/protocols, or, when it has none, Debian's (below). */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "netdb_impl.h"

const char __occlum_builtin_protocols[] =
	"ip 0 IP\n"
	"hopopt 0 HOPOPT\n"
	"icmp 1 ICMP\n"
	"igmp 2 IGMP\n"
	"ggp 3 GGP\n"
	"ipencap 4 IP-ENCAP\n"
	"st 5 ST\n"
	"tcp 6 TCP\n"
	"egp 8 EGP\n"
	"igp 9 IGP\n"
	"pup 12 PUP\n"
	"udp 17 UDP\n"
	"hmp 20 HMP\n"
	"xns-idp 22 XNS-IDP\n"
	"rdp 27 RDP\n"
	"iso-tp4 29 ISO-TP4\n"
	"dccp 33 DCCP\n"
	"xtp 36 XTP\n"
	"ddp 37 DDP\n"
	"idpr-cmtp 38 IDPR-CMTP\n"
	"ipv6 41 IPv6\n"
	"ipv6-route 43 IPv6-Route\n"
	"ipv6-frag 44 IPv6-Frag\n"
	"idrp 45 IDRP\n"
	"rsvp 46 RSVP\n"
	"gre 47 GRE\n"
	"esp 50 IPSEC-ESP\n"
	"ah 51 IPSEC-AH\n"
	"skip 57 SKIP\n"
	"ipv6-icmp 58 IPv6-ICMP\n"
	"ipv6-nonxt 59 IPv6-NoNxt\n"
	"ipv6-opts 60 IPv6-Opts\n"
	"rspf 73 RSPF CPHB\n"
	"vmtp 81 VMTP\n"
	"eigrp 88 EIGRP\n"
	"ospf 89 OSPFIGP\n"
	"ax.25 93 AX.25\n"
	"ipip 94 IPIP\n"
	"etherip 97 ETHERIP\n"
	"encap 98 ENCAP\n"
	"pim 103 PIM\n"
	"ipcomp 108 IPCOMP\n"
	"vrrp 112 VRRP\n"
	"l2tp 115 L2TP\n"
	"isis 124 ISIS\n"
	"sctp 132 SCTP\n"
	"fc 133 FC\n"
	"mobility-header 135 Mobility-Header\n"
	"udplite 136 UDPLite\n"
	"mpls-in-ip 137 MPLS-in-IP\n"
	"manet 138\n"
	"hip 139 HIP\n"
	"shim6 140 Shim6\n"
	"wesp 141 WESP\n"
	"rohc 142 ROHC\n"
	"ethernet 143 Ethernet\n"
	"mptcp 262 MPTCP\n";

static struct protoent pe;
static char pebuf[512];
static int next; /* getprotoent's position */

struct query {
	const char *name; /* NULL: by number, or (number < 0) the index-th entry */
	int number;
	int index;
};

static int match(char **f, int n, void *ctx)
{
	struct query *q = ctx;
	if (n < 2)
		return 0;
	char *end;
	long number = strtol(f[1], &end, 10);
	if (*end || number < 0)
		return 0;
	if (q->name) {
		int found = strcmp(f[0], q->name) == 0;
		for (int i = 2; i < n && !found; i++)
			found = strcmp(f[i], q->name) == 0;
		if (!found)
			return 0;
	} else if (q->number >= 0 ? number != q->number : q->index-- > 0) {
		return 0;
	}
	struct netdb_buf b = { pebuf, sizeof pebuf };
	char **aliases = netdb_alloc(&b, (size_t)(n - 1) * sizeof(char *), sizeof(char *));
	if (!aliases || !(pe.p_name = netdb_str(&b, f[0])))
		return ERANGE;
	for (int i = 2; i < n; i++)
		if (!(aliases[i - 2] = netdb_str(&b, f[i])))
			return ERANGE;
	aliases[n - 2] = 0;
	pe.p_aliases = aliases;
	pe.p_proto = (int)number;
	return 1;
}

static struct protoent *lookup(struct query *q)
{
	if (__occlum_netdb_scan("/etc/protocols", __occlum_builtin_protocols, match, q) == 1)
		return &pe;
	return 0;
}

struct protoent *getprotobyname(const char *name)
{
	struct query q = { name, -1, 0 };
	return lookup(&q);
}

struct protoent *getprotobynumber(int number)
{
	if (number < 0)
		return 0;
	struct query q = { 0, number, 0 };
	return lookup(&q);
}

struct protoent *getprotoent(void)
{
	struct query q = { 0, -1, next };
	struct protoent *p = lookup(&q);
	if (p)
		next++;
	return p;
}

void setprotoent(int stayopen)
{
	(void)stayopen;
	next = 0;
}

void endprotoent(void)
{
	next = 0;
}
