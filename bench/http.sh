#!/usr/bin/env bash
# HTTP benchmark (issue "Networking"): two servers, each built natively (cc)
# and with occlum-gcc, run natively and inside the LibOS, driven from the
# host by ApacheBench over loopback TCP:
#
#   lighttpd  Debian's lighttpd (apt-get source, never committed), built by
#             its autotools as a static server (LIGHTTPD_STATIC: plugins
#             linked in, no dynamic modules), without pcre2/zlib/openssl &c.
#   httpd     bench/src/httpd.c, our poll() keep-alive server
#
# Both serve the same 10 KiB file (index.html) from the image (the LibOS's
# encrypted root) or from a host directory (native). Each row is the median
# of ROUNDS runs of `ab -k -c 32 -n REQUESTS`, native and LibOS rounds
# interleaved, after a warm-up; printed like the other benchmarks
# (bench_test.go's rowVs: ours, native, ours/native; above 1 is better).
#
#   bench/http.sh          build (cached in $WORK), benchmark, print two rows
#   bench/http.sh check    build the LibOS servers only and check that each
#                          serves the file's exact bytes to curl (twice on one
#                          connection), with lighttpd's 404; exit 1 if not
#
# WORK (default /tmp/occlum-http) keeps the sources, the builds and the
# instance; REQUESTS (50000) and ROUNDS (5) set the size. Needs ab
# (apache2-utils: make bench installs it) for the benchmark, curl for the
# check, and bin/ built (make build).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mode=${1:-bench}
case $mode in bench | check) ;; *)
	echo "usage: bench/http.sh [bench|check]" >&2
	exit 2
	;;
esac
work=${WORK:-${TMPDIR:-/tmp}/occlum-http}
requests=${REQUESTS:-50000}
rounds=${ROUNDS:-5}
concurrency=32
export PATH="$root/bin:$PATH"
# A developer key of the benchmark's own (made once, kept in $WORK): nothing
# is added to ~/.config/occlum.
export OCCLUM_CONFIG_DIR=$work/config
mkdir -p "$work/logs"

say() { echo "http.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}
[ -x "$root/bin/occlum-gcc" ] && [ -x "$root/bin/occlum" ] || die "bin/ is not built: run make build"
if [ "$mode" = bench ]; then
	command -v ab >/dev/null || {
		echo "BENCH | http (lighttpd, httpd)                     | skipped: ab not found (apt-get install apache2-utils; make bench installs it)"
		exit 0
	}
fi
command -v curl >/dev/null || die "curl not found"

# The page: 10 KiB of text, the same bytes every run.
page=$work/www/index.html
mkdir -p "$work/www"
awk 'BEGIN { for (i = 0; i < 160; i++) { s = sprintf("%04d the quick brown fox jumps over the lazy dog 0123456789", i); printf "%-63.63s\n", s } }' >"$page"
[ "$(wc -c <"$page")" -eq 10240 ] || die "the page is not 10240 bytes"

# ---- builds -------------------------------------------------------------

# lighttpd's static build: plugin-static.h names the plugins a static file
# server needs (the static build compiles every plugin; these are linked in
# and loadable by name). fork is not there to use (ENOSYS in the LibOS):
# without it lighttpd leaves out daemonizing and its worker processes
# (which use setsid and alarm), as on a platform without fork; natively
# the same, so that both builds are the same server.
lighttpd_plugins="mod_access mod_alias mod_indexfile mod_staticfile mod_dirlisting mod_setenv mod_expire mod_redirect mod_accesslog mod_status"
lighttpd_configure=(--enable-static --disable-shared --without-pcre2 --without-pcre --without-zlib
	--without-bzip2 --without-zstd --without-brotli --without-libdeflate --without-openssl
	--without-xxhash ac_cv_func_fork=no)
build_lighttpd() { # build_lighttpd native|occlum OUT
	local tc=$1 out=$2 src stamp
	# The occlum build depends on the toolchain and libocclum: rebuilt when
	# either changes.
	stamp="$(printf '%s\n' "${lighttpd_configure[*]}" "$lighttpd_plugins")"
	[ "$tc" = occlum ] && stamp+="$(cat "$root/bin/libocclum/stamp" 2>/dev/null)$(sha256sum <"$root/bin/occlum-cc")"
	if [ -x "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	src=$("$here/fetch-debian-src.sh" lighttpd "$work/src" 2>"$work/logs/fetch.log") ||
		die "fetching lighttpd's sources failed: $work/logs/fetch.log"
	local b=$work/build/lighttpd.$tc
	rm -rf "$b" && mkdir -p "$work/build" && cp -a "$src" "$b" # -a: timestamps, or automake reruns
	for p in $lighttpd_plugins; do echo "PLUGIN_INIT($p)"; done >"$b/src/plugin-static.h"
	local cc=(CC=gcc) host=()
	[ "$tc" = occlum ] && cc=(CC=occlum-gcc AR=occlum-ar RANLIB=occlum-ranlib) && host=(--host=wasm32-wasi)
	say "building lighttpd ($tc) in $b"
	(cd "$b" && LIGHTTPD_STATIC=yes ./configure -C "${host[@]}" "${cc[@]}" "${lighttpd_configure[@]}" \
		>"$work/logs/lighttpd.$tc.configure.log" 2>&1) ||
		die "lighttpd ($tc): configure failed: $work/logs/lighttpd.$tc.configure.log"
	make -s -C "$b/src" versionstamp parsers lighttpd >"$work/logs/lighttpd.$tc.make.log" 2>&1 ||
		die "lighttpd ($tc): make failed: $work/logs/lighttpd.$tc.make.log"
	cp "$b/src/lighttpd" "$out"
	printf '%s' "$stamp" >"$out.stamp"
}
mkdir -p "$work/bin"
build_lighttpd occlum "$work/bin/lighttpd.wasm"
occlum-gcc -O2 -o "$work/bin/httpd.wasm" "$here/src/httpd.c" || die "occlum-gcc httpd.c failed"
if [ "$mode" = bench ]; then
	build_lighttpd native "$work/bin/lighttpd"
	cc -O2 -o "$work/bin/httpd" "$here/src/httpd.c" || die "cc httpd.c failed"
fi

# ---- the instance -------------------------------------------------------

inst=$work/inst
rm -rf "$inst"
occlum new "$inst" >/dev/null
mkdir -p "$inst/image/srv/www" "$inst/image/var/tmp" "$inst/image/etc"
cp "$page" "$inst/image/srv/www/"
cp "$work/bin/lighttpd.wasm" "$inst/image/bin/lighttpd"
cp "$work/bin/httpd.wasm" "$inst/image/bin/httpd"
lighttpd_conf() { # lighttpd_conf DOCROOT PORT
	cat <<EOF
server.document-root = "$1"
server.bind = "127.0.0.1"
server.port = $2
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 30
server.max-connections = 1024
server.upload-dirs = ( "/tmp" )
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html" )
EOF
}

# ---- running servers ----------------------------------------------------

pids=()
stop_all() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
}
trap stop_all EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port=${PORT:-18480}
free_port() { # sets port
	while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
	port=$next_port
	next_port=$((next_port + 1))
}

# start NAME CMD...: starts a server on $port in the background, waits until
# it answers (60 s: the LibOS compiles a program on its first run).
start() {
	local name=$1 log="$work/logs/$1.log"
	shift
	"$@" >"$log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 600); do
		if curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/index.html"; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	say "$name did not start on port $port; its output:"
	tail -n 20 "$log" >&2
	return 1
}

start_libos() { # start_libos NAME SERVER: lighttpd or httpd in the LibOS
	local name=$1 server=$2
	free_port
	if [ "$server" = lighttpd ]; then
		lighttpd_conf /srv/www "$port" >"$inst/image/etc/lighttpd.conf"
		(cd "$inst" && rm -rf run/mount/__ROOT && occlum build >/dev/null) || die "occlum build failed"
		start "$name" bash -c "cd '$inst' && exec occlum run /bin/lighttpd -D -f /etc/lighttpd.conf"
	else
		(cd "$inst" && rm -rf run/mount/__ROOT && occlum build >/dev/null) || die "occlum build failed"
		start "$name" bash -c "cd '$inst' && exec occlum run /bin/httpd -p $port -f /srv/www/index.html"
	fi
}

start_native() { # start_native NAME SERVER
	local name=$1 server=$2
	free_port
	if [ "$server" = lighttpd ]; then
		lighttpd_conf "$work/www" "$port" >"$work/lighttpd.native.conf"
		start "$name" "$work/bin/lighttpd" -D -f "$work/lighttpd.native.conf"
	else
		start "$name" "$work/bin/httpd" -p "$port" -f "$page"
	fi
}

# ---- check mode ---------------------------------------------------------

if [ "$mode" = check ]; then
	status=0
	expect=$work/expect
	cat "$page" "$page" >"$expect"
	for server in lighttpd httpd; do
		start_libos "$server.libos" "$server" || {
			status=1
			stop_all
			continue
		}
		url="http://127.0.0.1:$port/index.html"
		# Two requests on one connection (curl reuses it: keep-alive).
		if curl -sf -m 20 "$url" "$url" -o "$work/got.1" -o "$work/got.2" &&
			cat "$work/got.1" "$work/got.2" | cmp -s - "$expect"; then
			echo "ok   $server in the LibOS: GET /index.html twice on one connection, 10240 bytes each, the file's bytes"
		else
			echo "FAIL $server in the LibOS: GET /index.html did not return the file (see $work/logs/$server.libos.log)"
			status=1
		fi
		if [ "$server" = lighttpd ]; then
			code=$(curl -s -o /dev/null -m 20 -w '%{http_code}' "http://127.0.0.1:$port/missing.html" || true)
			if [ "$code" = 404 ]; then
				echo "ok   lighttpd in the LibOS: GET /missing.html is 404"
			else
				echo "FAIL lighttpd in the LibOS: GET /missing.html gave $code, want 404"
				status=1
			fi
		fi
		stop_all
	done
	exit $status
fi

# ---- benchmark ----------------------------------------------------------

# ab_rps PORT N: requests per second of one ab run (no failures allowed).
ab_rps() {
	local out
	out=$(ab -q -k -c "$concurrency" -n "$2" "http://127.0.0.1:$1/index.html" 2>&1) || {
		say "ab failed on port $1:"
		echo "$out" | tail -n 5 >&2
		return 1
	}
	local failed complete len
	failed=$(awk '/^Failed requests:/ { print $3 }' <<<"$out")
	complete=$(awk '/^Complete requests:/ { print $3 }' <<<"$out")
	len=$(awk '/^Document Length:/ { print $3 }' <<<"$out")
	if [ "$failed" != 0 ] || [ "$complete" != "$2" ] || [ "$len" != 10240 ]; then
		say "ab on port $1: $complete complete, $failed failed, document length $len"
		return 1
	fi
	awk '/^Requests per second:/ { print $4 }' <<<"$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "http: ab -k -c $concurrency -n $requests http://127.0.0.1:PORT/index.html (10240 bytes), median of $rounds rounds, native and LibOS interleaved"
status=0
for server in lighttpd httpd; do
	case $server in
	lighttpd)
		ver=$(basename "$(ls -d "$work"/src/lighttpd-*/ | head -n 1)")
		what="http: ${ver/-/ }, ab -k -c $concurrency"
		;;
	httpd) what="http: httpd.c (poll), ab -k -c $concurrency" ;;
	esac
	if ! { start_native "$server.native" "$server" && nport=$port &&
		start_libos "$server.libos" "$server" && lport=$port; }; then
		printf 'BENCH | %-40s | failed to start (logs in %s)\n' "$what" "$work/logs"
		status=1
		stop_all
		continue
	fi
	# Warm-up: the first connections, caches, the LibOS's compiled code.
	ok=1
	ab_rps "$nport" 2000 >/dev/null && ab_rps "$lport" 2000 >/dev/null || ok=0
	nat=() ours=()
	for ((r = 0; r < rounds && ok; r++)); do
		v=$(ab_rps "$nport" "$requests") && nat+=("$v") || ok=0
		v=$(ab_rps "$lport" "$requests") && ours+=("$v") || ok=0
	done
	stop_all
	if [ $ok = 0 ]; then
		printf 'BENCH | %-40s | failed (logs in %s)\n' "$what" "$work/logs"
		status=1
		continue
	fi
	n=$(median "${nat[@]}")
	o=$(median "${ours[@]}")
	awk -v w="$what" -v o="$o" -v n="$n" -v on="${ours[*]}" -v nn="${nat[*]}" 'BEGIN {
		printf "BENCH | %-40s | %10.2f %-6s | native %10.2f %-6s | %5.2fx |  (LibOS %s; native %s)\n", w, o, "req/s", n, "req/s", o / n, on, nn
	}'
done
exit $status
