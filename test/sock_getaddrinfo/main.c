/* sock_getaddrinfo: name and address conversions. getaddrinfo on numeric
 * hosts ("127.0.0.1", "::1") with numeric ports and the "http" service
 * (family, socktype, protocol, address, port, ai_addrlen), socktype 0
 * (stream/TCP and dgram/UDP among the results), the NULL host with and
 * without AI_PASSIVE, ai_family restricting, AI_CANONNAME, the EAI_ errors
 * (AI_NUMERICHOST/AI_NUMERICSERV with names, unknown services, bad
 * socktype, family and flags, neither host nor service), "localhost"
 * from /etc/hosts (the IPv4 addresses only), a name that cannot exist
 * (only that it fails: EAI_NONAME or EAI_AGAIN depending on the
 * resolver); gai_strerror; getnameinfo with NI_NUMERICHOST|NI_NUMERICSERV
 * (and EAI_OVERFLOW, EAI_FAMILY); inet_pton/inet_ntop both families with
 * bad input; inet_addr, inet_aton, inet_ntoa; byte order. */
#define _GNU_SOURCE
#include <netdb.h>

#include "net.h"

static const char *eai_name(int e) {
    switch (e) {
    case 0: return "0";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_BADFLAGS: return "EAI_BADFLAGS";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
    case EAI_SYSTEM: return "EAI_SYSTEM";
    case EAI_OVERFLOW: return "EAI_OVERFLOW";
    default: return "EAI_?";
    }
}

static const char *type_name(int t) {
    return t == SOCK_STREAM ? "SOCK_STREAM" : t == SOCK_DGRAM ? "SOCK_DGRAM" : t == SOCK_RAW ? "SOCK_RAW" : "type?";
}

static const char *proto_name(int p) {
    return p == IPPROTO_TCP ? "IPPROTO_TCP" : p == IPPROTO_UDP ? "IPPROTO_UDP" : p == 0 ? "0" : "proto?";
}

static const char *family_name(int f) {
    static char b[32];
    if (f == AF_UNSPEC) return "AF_UNSPEC";
    if (f == AF_INET) return "AF_INET";
    if (f == AF_INET6) return "AF_INET6";
    snprintf(b, sizeof b, "family %d", f);
    return b;
}

/* hints_str names the hints: "AF_INET SOCK_STREAM AI_PASSIVE". */
static const char *hints_str(int family, int socktype, int flags) {
    static char b[160];
    snprintf(b, sizeof b, "%s %s", family_name(family),
             socktype == 0 ? "socktype 0" : socktype == 99 ? "socktype 99" : type_name(socktype));
    static const struct {
        int flag;
        const char *name;
    } names[] = {{AI_PASSIVE, "AI_PASSIVE"}, {AI_CANONNAME, "AI_CANONNAME"}, {AI_NUMERICHOST, "AI_NUMERICHOST"},
                 {AI_NUMERICSERV, "AI_NUMERICSERV"}, {0x10000, "0x10000"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].flag) snprintf(b + strlen(b), sizeof b - strlen(b), " %s", names[i].name);
    return b;
}

static struct addrinfo hints(int family, int socktype, int flags) {
    struct addrinfo h;
    memset(&h, 0, sizeof h);
    h.ai_family = family;
    h.ai_socktype = socktype;
    h.ai_flags = flags;
    return h;
}

/* show prints every result of getaddrinfo(host, serv) with those hints,
 * one line each, sorted (the order is the resolver's). */
static void show(const char *host, const char *serv, int family, int socktype, int flags) {
    struct addrinfo h = hints(family, socktype, flags), *res = NULL;
    int e = getaddrinfo(host, serv, &h, &res);
    printf("getaddrinfo(%s, %s, %s): %s\n", host ? host : "NULL", serv ? serv : "NULL",
           hints_str(family, socktype, flags), eai_name(e));
    if (e != 0) return;
    char lines[16][160];
    int n = 0;
    for (struct addrinfo *ai = res; ai != NULL && n < 16; ai = ai->ai_next) {
        if (ai->ai_socktype == SOCK_RAW) continue; /* glibc adds it for socktype 0; not compared */
        snprintf(lines[n++], sizeof lines[0], "  %s, %s %s, port %d, addrlen %s%s%s", sa_host(ai->ai_addr, ai->ai_addrlen),
                 type_name(ai->ai_socktype), proto_name(ai->ai_protocol), sa_port(ai->ai_addr),
                 ai->ai_addrlen == (ai->ai_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6))
                     ? "right" : "WRONG",
                 ai->ai_canonname ? ", canonname " : "", ai->ai_canonname ? ai->ai_canonname : "");
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char t[160];
            memcpy(t, lines[j], sizeof t);
            memcpy(lines[j], lines[j - 1], sizeof t);
            memcpy(lines[j - 1], t, sizeof t);
        }
    for (int i = 0; i < n; i++) printf("%s\n", lines[i]);
    freeaddrinfo(res);
}

static void gai_err(const char *host, const char *serv, int family, int socktype, int flags, int want) {
    struct addrinfo h = hints(family, socktype, flags), *res = NULL;
    int e = getaddrinfo(host, serv, &h, &res);
    CHECK_EQ(e, want);
    printf("getaddrinfo(%s, %s, %s): %s\n", host ? host : "NULL", serv ? serv : "NULL",
           hints_str(family, socktype, flags), eai_name(e));
    if (e == 0) freeaddrinfo(res);
}

static void pton6(const char *s) {
    struct in6_addr a;
    char out[INET6_ADDRSTRLEN];
    int r = inet_pton(AF_INET6, s, &a);
    printf("inet_pton(AF_INET6, \"%s\"): %d", s, r);
    if (r == 1) printf(", inet_ntop: %s", inet_ntop(AF_INET6, &a, out, sizeof out));
    printf("\n");
}

static void pton4(const char *s) {
    unsigned char a[4] = {0};
    char out[INET_ADDRSTRLEN];
    int r = inet_pton(AF_INET, s, a);
    printf("inet_pton(AF_INET, \"%s\"): %d", s, r);
    if (r == 1) printf(", bytes %d.%d.%d.%d, inet_ntop: %s", a[0], a[1], a[2], a[3], inet_ntop(AF_INET, a, out, sizeof out));
    printf("\n");
}

static void aton(const char *s) {
    struct in_addr a;
    a.s_addr = 0;
    int r = inet_aton(s, &a);
    printf("inet_aton(\"%s\"): %d", s, r);
    if (r) printf(", %s", inet_ntoa(a));
    printf("\n");
}

int main(int argc, char **argv) {
    test_init("sock_getaddrinfo", argc, argv);

    show("127.0.0.1", "8080", AF_UNSPEC, SOCK_STREAM, 0);
    show("::1", "8080", AF_UNSPEC, SOCK_STREAM, 0);
    show("127.0.0.1", "http", AF_UNSPEC, SOCK_STREAM, 0);
    show("::1", "443", AF_INET6, SOCK_DGRAM, AI_NUMERICHOST | AI_NUMERICSERV);
    show("127.0.0.1", "53", AF_UNSPEC, 0, 0);
    struct addrinfo h = hints(AF_UNSPEC, 0, 0), *res = NULL;
    h.ai_protocol = IPPROTO_UDP;
    int e = getaddrinfo("127.0.0.1", "53", &h, &res);
    CHECK_EQ(e, 0);
    if (e == 0) {
        printf("getaddrinfo(127.0.0.1, 53, protocol IPPROTO_UDP): %s %s, only that: %s\n",
               type_name(res->ai_socktype), proto_name(res->ai_protocol), res->ai_next == NULL ? "yes" : "no");
        freeaddrinfo(res);
    }
    show("127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM, AI_CANONNAME | AI_NUMERICHOST);
    show(NULL, "8080", AF_INET, SOCK_STREAM, AI_PASSIVE);
    show(NULL, "8080", AF_INET, SOCK_STREAM, 0);
    show(NULL, "8080", AF_INET6, SOCK_STREAM, AI_PASSIVE);
    show(NULL, "8080", AF_INET6, SOCK_STREAM, 0);
    show(NULL, "8080", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE);
    show(NULL, "0", AF_INET, SOCK_DGRAM, AI_PASSIVE);

    gai_err("localhost", "80", AF_UNSPEC, SOCK_STREAM, AI_NUMERICHOST, EAI_NONAME);
    gai_err("127.0.0.1", "http", AF_UNSPEC, SOCK_STREAM, AI_NUMERICSERV, EAI_NONAME);
    gai_err("127.0.0.1", "no-such-service", AF_UNSPEC, SOCK_STREAM, 0, EAI_SERVICE);
    gai_err("127.0.0.1", "80", AF_UNSPEC, 99, 0, EAI_SOCKTYPE);
    gai_err("127.0.0.1", "80", 12345, 0, 0, EAI_FAMILY);
    gai_err("127.0.0.1", "80", AF_UNSPEC, 0, 0x10000, EAI_BADFLAGS);
    gai_err(NULL, NULL, AF_UNSPEC, 0, 0, EAI_NONAME);
    h = hints(AF_INET, SOCK_STREAM, 0);
    res = NULL;
    e = getaddrinfo("::1", "80", &h, &res);
    CHECK(e != 0);
    printf("getaddrinfo(::1) with AF_INET: %s\n", e != 0 ? "fails" : "succeeds");
    if (e == 0) freeaddrinfo(res);

    /* localhost, from /etc/hosts: only the set of IPv4 addresses. */
    h = hints(AF_INET, SOCK_STREAM, 0);
    res = NULL;
    e = getaddrinfo("localhost", "80", &h, &res);
    CHECK_EQ(e, 0);
    int loop = 0, other = 0;
    for (struct addrinfo *ai = e == 0 ? res : NULL; ai != NULL; ai = ai->ai_next) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
        if (sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && sa_port(sin) == 80) loop = 1;
        else other = 1;
    }
    CHECK(loop && !other);
    printf("getaddrinfo(localhost, 80, AF_INET): %s, the IPv4 addresses: %s\n", eai_name(e),
           loop && !other ? "127.0.0.1 only" : "other");
    if (e == 0) freeaddrinfo(res);
    h = hints(AF_UNSPEC, SOCK_STREAM, 0);
    res = NULL;
    e = getaddrinfo("no-such-host.invalid", "80", &h, &res);
    CHECK(e != 0);
    printf("getaddrinfo(no-such-host.invalid): %s\n", e != 0 ? "fails" : "succeeds");
    if (e == 0) freeaddrinfo(res);
    const char *msg = gai_strerror(EAI_NONAME), *unk = gai_strerror(12345);
    CHECK(msg != NULL && msg[0] != '\0' && unk != NULL);
    printf("gai_strerror(EAI_NONAME) a message: %s; of an unknown code non-NULL: %s\n",
           msg != NULL && msg[0] ? "yes" : "no", unk != NULL ? "yes" : "no");

    /* getnameinfo, numeric. */
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    char host[NI_MAXHOST], serv[NI_MAXSERV], tiny[4];
    loopback4(&sin, 8080);
    e = getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    CHECK_EQ(e, 0);
    printf("getnameinfo(127.0.0.1:8080, numeric): %s, host %s, serv %s\n", eai_name(e), e ? "" : host, e ? "" : serv);
    loopback6(&sin6, 443);
    e = getnameinfo((struct sockaddr *)&sin6, sizeof sin6, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    CHECK_EQ(e, 0);
    printf("getnameinfo([::1]:443, numeric): %s, host %s, serv %s\n", eai_name(e), e ? "" : host, e ? "" : serv);
    inet_pton(AF_INET, "10.20.30.40", &sin.sin_addr);
    e = getnameinfo((struct sockaddr *)&sin, sizeof sin, tiny, sizeof tiny, NULL, 0, NI_NUMERICHOST);
    printf("getnameinfo(10.20.30.40) into 4 bytes: %s\n", eai_name(e));
    CHECK_EQ(e, EAI_OVERFLOW);
    e = getnameinfo((struct sockaddr *)&sin, 3, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    printf("getnameinfo with salen 3: %s\n", eai_name(e));
    CHECK_EQ(e, EAI_FAMILY);

    /* inet_pton / inet_ntop. */
    const char *v4[] = {"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5",
                        "01.2.3.4", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", ""};
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++) pton4(v4[i]);
    const char *v6[] = {"::1", "::", "2001:db8::ff00:42:8329", "2001:DB8:0:0:1:0:0:1", "1:0:0:2:0:0:0:3",
                        "1:0:2:3:4:5:6:7", "fe80::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", ":::", "1::2::3",
                        "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "1.2.3.4", ""};
    for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) pton6(v6[i]);
    unsigned char raw[16];
    CHECK_NERR(inet_pton(12345, "1.2.3.4", raw), EAFNOSUPPORT);
    char small[8];
    inet_pton(AF_INET, "123.123.123.123", raw);
    errno = 0;
    const char *nt = inet_ntop(AF_INET, raw, small, sizeof small);
    int ne = errno;
    CHECK(nt == NULL && ne == ENOSPC);
    errno = 0;
    const char *nt2 = inet_ntop(12345, raw, host, sizeof host);
    int ne2 = errno;
    CHECK(nt2 == NULL && ne2 == EAFNOSUPPORT);
    printf("inet_pton bad family: -1 EAFNOSUPPORT; inet_ntop into 8 bytes: %s %s; bad family: %s %s\n",
           nt ? "ok" : "NULL", nt ? "" : net_errno_name(ne), nt2 ? "ok" : "NULL", nt2 ? "" : net_errno_name(ne2));

    /* inet_addr, inet_aton, inet_ntoa. */
    in_addr_t ia = inet_addr("1.2.3.4");
    unsigned char *ib = (unsigned char *)&ia;
    printf("inet_addr(\"1.2.3.4\"): bytes %d.%d.%d.%d; of \"x\": %s; of \"255.255.255.255\": %s\n", ib[0], ib[1],
           ib[2], ib[3], inet_addr("x") == INADDR_NONE ? "INADDR_NONE" : "other",
           inet_addr("255.255.255.255") == INADDR_NONE ? "INADDR_NONE" : "other");
    const char *at[] = {"1.2.3.4", "127.1", "1.2.3", "0x7f.1", "010.0.0.1", "1.2.3.4.5", "256.0.0.1", "x"};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) aton(at[i]);

    /* Byte order, seen in memory. */
    uint16_t s16 = htons(0x1234);
    uint32_t s32 = htonl(0x01020304);
    unsigned char *b16 = (unsigned char *)&s16, *b32 = (unsigned char *)&s32;
    CHECK(ntohs(s16) == 0x1234 && ntohl(s32) == 0x01020304);
    printf("htons(0x1234) bytes %02x %02x; htonl(0x01020304) bytes %02x %02x %02x %02x; round trips: %s\n", b16[0],
           b16[1], b32[0], b32[1], b32[2], b32[3], ntohs(s16) == 0x1234 && ntohl(s32) == 0x01020304 ? "yes" : "no");
    return test_done();
}
