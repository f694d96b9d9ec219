/*
 * httpd: a small HTTP/1.1 server for the HTTP benchmark (bench/http.sh).
 * One process, one thread, non-blocking sockets and poll(): any number of
 * connections, keep-alive (HTTP/1.1 by default, HTTP/1.0 with
 * "Connection: keep-alive", as ab -k sends), pipelined requests. Every GET
 * gets the same body: the contents of FILE (-f), or 10 KiB of text; HEAD
 * gets its headers; other methods 405. Plain POSIX: builds with cc and with
 * occlum-gcc.
 *
 *   httpd [-a ADDR] [-p PORT] [-f FILE]       (default 127.0.0.1:8080)
 *
 * Prints "httpd: listening on ADDR:PORT" on stderr when ready; runs until
 * killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define INBUF 8192 /* request headers larger than this get 431 */

struct conn {
    int fd;
    size_t inlen;     /* bytes in in[] */
    const char *out;  /* response being sent (one of the prepared ones) */
    size_t outlen, outoff;
    int close_after;  /* close once out is sent */
    char in[INBUF];
};

/* Prepared responses: the headers and body in one buffer each. */
struct response {
    char *data;
    size_t len;
};
static struct response get_ka, get_close, head_ka, head_close, not_allowed, too_large, bad_request;

static void prepare(struct response *r, const char *status, const char *conn, const char *type,
                    const char *body, size_t bodylen, size_t content_length) {
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nServer: occlum-bench-httpd\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
                     status, type, content_length, conn);
    r->len = (size_t)n + bodylen;
    r->data = malloc(r->len);
    if (!r->data) {
        perror("httpd: malloc");
        exit(1);
    }
    memcpy(r->data, head, (size_t)n);
    if (bodylen)
        memcpy(r->data + n, body, bodylen);
}

static char *load_body(const char *file, size_t *len) {
    if (!file) {
        /* 10 KiB of text: 160 lines of 64 bytes. */
        *len = 10240;
        char *b = malloc(*len);
        if (!b)
            return NULL;
        for (size_t i = 0; i < *len; i++)
            b[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i / 64 + i) % 26);
        return b;
    }
    int fd = open(file, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(file);
        return NULL;
    }
    char *b = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t got = 0;
    while (b && got < (size_t)st.st_size) {
        ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
        if (n <= 0) {
            perror(file);
            return NULL;
        }
        got += (size_t)n;
    }
    close(fd);
    *len = got;
    return b;
}

/* header_has: does the header block [h, end) have a NAME field whose value
 * contains token (case-insensitively)? */
static int header_has(const char *h, const char *end, const char *name, const char *token) {
    size_t nl = strlen(name), tl = strlen(token);
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        if (!eol)
            eol = end;
        if ((size_t)(eol - h) > nl && strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            for (const char *v = h + nl + 1; v + tl <= eol; v++)
                if (strncasecmp(v, token, tl) == 0)
                    return 1;
        }
        h = eol + 1;
    }
    return 0;
}

/* content_length: the Content-Length of the header block, 0 if none. */
static long content_length(const char *h, const char *end) {
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        if (!eol)
            eol = end;
        if (eol - h > 15 && strncasecmp(h, "Content-Length:", 15) == 0)
            return strtol(h + 15, NULL, 10);
        h = eol + 1;
    }
    return 0;
}

static void set_out(struct conn *c, const struct response *r, int close_after) {
    c->out = r->data;
    c->outlen = r->len;
    c->outoff = 0;
    c->close_after = close_after;
}

/* parse: if in[] holds a whole request, consume it, set the response and
 * return 1; 0 if more bytes are needed. */
static int parse(struct conn *c) {
    char *end = NULL;
    for (size_t i = 0; i + 3 < c->inlen; i++) {
        if (c->in[i] == '\r' && c->in[i + 1] == '\n' && c->in[i + 2] == '\r' && c->in[i + 3] == '\n') {
            end = c->in + i + 4;
            break;
        }
    }
    if (!end) {
        if (c->inlen == INBUF) {
            set_out(c, &too_large, 1);
            c->inlen = 0;
            return 1;
        }
        return 0;
    }
    const char *line_end = memchr(c->in, '\n', (size_t)(end - c->in));
    const char *sp1 = memchr(c->in, ' ', (size_t)(line_end - c->in));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
    long body = content_length(line_end + 1, end);
    size_t used = (size_t)(end - c->in);
    if (!sp1 || !sp2 || body < 0 || body > (long)(INBUF - used)) {
        set_out(c, &bad_request, 1);
        c->inlen = 0;
        return 1;
    }
    if (used + (size_t)body > c->inlen)
        return 0; /* the request's body is not all here yet */
    used += (size_t)body;
    int http10 = strncmp(sp2 + 1, "HTTP/1.0", 8) == 0;
    int keep = http10 ? header_has(line_end + 1, end, "Connection", "keep-alive")
                      : !header_has(line_end + 1, end, "Connection", "close");
    size_t mlen = (size_t)(sp1 - c->in);
    if (mlen == 3 && memcmp(c->in, "GET", 3) == 0)
        set_out(c, keep ? &get_ka : &get_close, !keep);
    else if (mlen == 4 && memcmp(c->in, "HEAD", 4) == 0)
        set_out(c, keep ? &head_ka : &head_close, !keep);
    else
        set_out(c, &not_allowed, !keep);
    memmove(c->in, c->in + used, c->inlen - used);
    c->inlen -= used;
    return 1;
}

/* step: makes what progress it can on c without blocking; returns -1 when
 * the connection is to be closed. */
static int step(struct conn *c, int readable) {
    for (;;) {
        while (c->out) {
            ssize_t n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return 0;
                if (errno == EINTR)
                    continue;
                return -1;
            }
            c->outoff += (size_t)n;
            if (c->outoff == c->outlen) {
                c->out = NULL;
                if (c->close_after)
                    return -1;
            }
        }
        if (parse(c))
            continue;
        if (!readable)
            return 0;
        ssize_t n = read(c->fd, c->in + c->inlen, INBUF - c->inlen);
        if (n == 0)
            return -1;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->inlen += (size_t)n;
    }
}

static int set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int main(int argc, char **argv) {
    const char *addr = "127.0.0.1", *file = NULL;
    int port = 8080, opt;
    while ((opt = getopt(argc, argv, "a:p:f:")) != -1) {
        switch (opt) {
        case 'a': addr = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': file = optarg; break;
        default:
            fprintf(stderr, "usage: httpd [-a ADDR] [-p PORT] [-f FILE]\n");
            return 2;
        }
    }
    size_t blen;
    char *body = load_body(file, &blen);
    if (!body)
        return 1;
    prepare(&get_ka, "200 OK", "keep-alive", "text/html", body, blen, blen);
    prepare(&get_close, "200 OK", "close", "text/html", body, blen, blen);
    prepare(&head_ka, "200 OK", "keep-alive", "text/html", NULL, 0, blen);
    prepare(&head_close, "200 OK", "close", "text/html", NULL, 0, blen);
    prepare(&not_allowed, "405 Method Not Allowed", "keep-alive", "text/plain", NULL, 0, 0);
    prepare(&too_large, "431 Request Header Fields Too Large", "close", "text/plain", NULL, 0, 0);
    prepare(&bad_request, "400 Bad Request", "close", "text/plain", NULL, 0, 0);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "httpd: bad address %s\n", addr);
        return 2;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 1024) != 0 ||
        set_nonblock(ls) != 0) {
        perror("httpd: listen");
        return 1;
    }
    fprintf(stderr, "httpd: listening on %s:%d\n", addr, port);

    size_t n = 0, cap = 64; /* conns[i] is polled as pfd[i + 1] */
    struct conn **conns = malloc(cap * sizeof *conns);
    struct pollfd *pfd = malloc((cap + 1) * sizeof *pfd);
    if (!conns || !pfd)
        return 1;
    for (;;) {
        pfd[0].fd = ls;
        pfd[0].events = POLLIN;
        for (size_t i = 0; i < n; i++) {
            pfd[i + 1].fd = conns[i]->fd;
            pfd[i + 1].events = conns[i]->out ? POLLOUT : POLLIN;
        }
        if (poll(pfd, (nfds_t)(n + 1), -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("httpd: poll");
            return 1;
        }
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            struct conn *c = conns[i];
            short re = pfd[i + 1].revents;
            if (re && step(c, (re & (POLLIN | POLLHUP | POLLERR)) != 0) < 0) {
                close(c->fd);
                free(c);
                continue;
            }
            conns[kept++] = c;
        }
        n = kept;
        if (pfd[0].revents & POLLIN) {
            for (;;) {
                int fd = accept(ls, NULL, NULL);
                if (fd < 0) {
                    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                        errno != ECONNABORTED)
                        perror("httpd: accept");
                    break;
                }
                struct conn *c = malloc(sizeof *c);
                if (!c || set_nonblock(fd) != 0) {
                    close(fd);
                    free(c);
                    continue;
                }
#ifdef TCP_NODELAY
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#endif
                c->fd = fd;
                c->inlen = 0;
                c->out = NULL;
                if (n == cap) {
                    cap *= 2;
                    struct conn **nc = realloc(conns, cap * sizeof *conns);
                    struct pollfd *np = nc ? realloc(pfd, (cap + 1) * sizeof *pfd) : NULL;
                    if (nc)
                        conns = nc;
                    if (!np) {
                        close(fd);
                        free(c);
                        cap /= 2;
                        continue;
                    }
                    pfd = np;
                }
                conns[n++] = c;
            }
        }
    }
}
