/* getservbyname, getservbyport and their _r forms: the image's
 * /etc/services, or, when it has none, the common entries of Debian's
 * (below). s_port is in network byte order. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "netdb_impl.h"

const char __occlum_builtin_services[] =
	"tcpmux 1/tcp\n"
	"echo 7/tcp\n"
	"echo 7/udp\n"
	"discard 9/tcp sink null\n"
	"discard 9/udp sink null\n"
	"systat 11/tcp users\n"
	"daytime 13/tcp\n"
	"daytime 13/udp\n"
	"netstat 15/tcp\n"
	"qotd 17/tcp quote\n"
	"chargen 19/tcp ttytst source\n"
	"chargen 19/udp ttytst source\n"
	"ftp-data 20/tcp\n"
	"ftp 21/tcp\n"
	"fsp 21/udp fspd\n"
	"ssh 22/tcp\n"
	"telnet 23/tcp\n"
	"smtp 25/tcp mail\n"
	"time 37/tcp timserver\n"
	"time 37/udp timserver\n"
	"whois 43/tcp nicname\n"
	"tacacs 49/tcp\n"
	"tacacs 49/udp\n"
	"domain 53/tcp\n"
	"domain 53/udp\n"
	"bootps 67/udp\n"
	"bootpc 68/udp\n"
	"tftp 69/udp\n"
	"gopher 70/tcp\n"
	"finger 79/tcp\n"
	"http 80/tcp www\n"
	"kerberos 88/tcp kerberos5 krb5 kerberos-sec\n"
	"kerberos 88/udp kerberos5 krb5 kerberos-sec\n"
	"pop3 110/tcp pop-3\n"
	"sunrpc 111/tcp portmapper\n"
	"sunrpc 111/udp portmapper\n"
	"auth 113/tcp authentication tap ident\n"
	"nntp 119/tcp readnews untp\n"
	"ntp 123/udp\n"
	"epmap 135/tcp loc-srv\n"
	"netbios-ns 137/udp\n"
	"netbios-dgm 138/udp\n"
	"netbios-ssn 139/tcp\n"
	"imap2 143/tcp imap\n"
	"snmp 161/tcp\n"
	"snmp 161/udp\n"
	"snmp-trap 162/tcp snmptrap\n"
	"snmp-trap 162/udp snmptrap\n"
	"bgp 179/tcp\n"
	"ldap 389/tcp\n"
	"ldap 389/udp\n"
	"https 443/tcp\n"
	"https 443/udp\n"
	"microsoft-ds 445/tcp\n"
	"kpasswd 464/tcp\n"
	"kpasswd 464/udp\n"
	"submissions 465/tcp ssmtp smtps urd\n"
	"isakmp 500/udp\n"
	"exec 512/tcp\n"
	"biff 512/udp comsat\n"
	"login 513/tcp\n"
	"who 513/udp whod\n"
	"shell 514/tcp cmd syslog\n"
	"syslog 514/udp\n"
	"printer 515/tcp spooler\n"
	"talk 517/udp\n"
	"ntalk 518/udp\n"
	"route 520/udp router routed\n"
	"uucp 540/tcp uucpd\n"
	"rtsp 554/tcp\n"
	"rtsp 554/udp\n"
	"nntps 563/tcp snntp\n"
	"submission 587/tcp\n"
	"ipp 631/tcp\n"
	"ldaps 636/tcp\n"
	"ldaps 636/udp\n"
	"domain-s 853/tcp\n"
	"domain-s 853/udp\n"
	"rsync 873/tcp\n"
	"ftps-data 989/tcp\n"
	"ftps 990/tcp\n"
	"telnets 992/tcp\n"
	"imaps 993/tcp\n"
	"pop3s 995/tcp\n"
	"socks 1080/tcp\n"
	"openvpn 1194/tcp\n"
	"openvpn 1194/udp\n"
	"ms-sql-s 1433/tcp\n"
	"ms-sql-m 1434/udp\n"
	"radius 1812/tcp\n"
	"radius 1812/udp\n"
	"radius-acct 1813/tcp radacct\n"
	"radius-acct 1813/udp radacct\n"
	"nfs 2049/tcp\n"
	"nfs 2049/udp\n"
	"mysql 3306/tcp\n"
	"svn 3690/tcp subversion\n"
	"sip 5060/tcp\n"
	"sip 5060/udp\n"
	"xmpp-client 5222/tcp jabber-client\n"
	"postgresql 5432/tcp postgres\n"
	"amqp 5672/tcp\n"
	"x11 6000/tcp x11-0\n"
	"http-alt 8080/tcp webcache\n";

struct query {
	const char *name; /* NULL: by port */
	int port;         /* host byte order */
	const char *proto;
	struct servent *se;
	char *buf;
	size_t size;
};

static int match(char **f, int n, void *ctx)
{
	struct query *q = ctx;
	if (n < 2)
		return 0;
	char *slash = strchr(f[1], '/');
	if (!slash || slash == f[1])
		return 0;
	char *end;
	unsigned long port = strtoul(f[1], &end, 10);
	if (end != slash || port > 65535)
		return 0;
	const char *proto = slash + 1;
	if (q->proto && strcmp(q->proto, proto) != 0)
		return 0;
	if (q->name) {
		int found = strcmp(f[0], q->name) == 0;
		for (int i = 2; i < n && !found; i++)
			found = strcmp(f[i], q->name) == 0;
		if (!found)
			return 0;
	} else if ((int)port != q->port) {
		return 0;
	}
	struct netdb_buf b = { q->buf, q->size };
	char **aliases = netdb_alloc(&b, (size_t)(n - 1) * sizeof(char *), sizeof(char *));
	if (!aliases || !(q->se->s_name = netdb_str(&b, f[0])) || !(q->se->s_proto = netdb_str(&b, proto)))
		return ERANGE;
	for (int i = 2; i < n; i++)
		if (!(aliases[i - 2] = netdb_str(&b, f[i])))
			return ERANGE;
	aliases[n - 2] = 0;
	q->se->s_aliases = aliases;
	q->se->s_port = (int)htons((uint16_t)port);
	return 1;
}

static int lookup(struct query *q, struct servent **res)
{
	*res = 0;
	int r = __occlum_netdb_scan("/etc/services", __occlum_builtin_services, match, q);
	if (r == 1) {
		*res = q->se;
		return 0;
	}
	return r; /* 0 (not found) or ERANGE */
}

int getservbyname_r(const char *name, const char *proto, struct servent *se, char *buf, size_t size,
		    struct servent **res)
{
	struct query q = { name, 0, proto, se, buf, size };
	return lookup(&q, res);
}

int getservbyport_r(int port, const char *proto, struct servent *se, char *buf, size_t size, struct servent **res)
{
	struct query q = { 0, ntohs((uint16_t)port), proto, se, buf, size };
	return lookup(&q, res);
}

static struct servent se;
static char sebuf[1024];

struct servent *getservbyname(const char *name, const char *proto)
{
	struct servent *res;
	getservbyname_r(name, proto, &se, sebuf, sizeof sebuf, &res);
	return res;
}

struct servent *getservbyport(int port, const char *proto)
{
	struct servent *res;
	getservbyport_r(port, proto, &se, sebuf, sizeof sebuf, &res);
	return res;
}
