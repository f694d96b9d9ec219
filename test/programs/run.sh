#!/usr/bin/env bash
# The real-program suite (issue 9; docs/compatibility.md): Debian source
# packages fetched with `apt-get source` at test time (never committed),
# each built twice with its own build system — natively with gcc, and with
# occlum-gcc — then run natively and inside the LibOS (an instance made
# with `occlum new`/`occlum build`, programs run with `occlum run`, the
# data on the encrypted root file system); the outputs must be the same.
# With BENCH=1 it also times one workload each (docs/benchmarks.md).
#
#   test/programs/run.sh [WORKDIR]      (make test-programs)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/occlum-programs}
export PATH="$root/bin:$PATH"
mkdir -p "$work"
cd "$work"

# apt-get source needs deb-src lines; add Debian's if there are none.
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deb-src http://deb.debian.org/debian bookworm main" >/etc/apt/sources.list.d/occlum-deb-src.list
	apt-get update -qq
fi
# sqlite3's build generates its amalgamation with tclsh; the tarballs are
# .tar.xz and .tar.bz2; zlib's reference file is made with gzip.
need=()
command -v tclsh >/dev/null || need+=(tcl)
command -v xz >/dev/null || need+=(xz-utils)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v gzip >/dev/null || need+=(gzip)
command -v cmake >/dev/null || need+=(cmake) # cJSON is built with CMake (toolchain/occlum.cmake)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

fetch() { # fetch PKG: the upstream tarball of bookworm's PKG, unpacked once per toolchain
	local pkg=$1
	if ! ls "$pkg"_*.orig.tar.* >/dev/null 2>&1; then
		apt-get source -qq --download-only "$pkg/bookworm" >/dev/null 2>&1 ||
			{ echo "apt-get source $pkg/bookworm failed" >&2; exit 1; }
	fi
}
unpack() { # unpack PKG DIR: a fresh tree of PKG's sources in DIR
	rm -rf "$2" "$2.tmp" && mkdir -p "$2.tmp"
	tar -xf "$(ls "$1"_*.orig.tar.* | grep -v '\.asc$' | head -1)" -C "$2.tmp"
	mv "$2.tmp"/* "$2" && rmdir "$2.tmp"
}

native_env() { CC=gcc CXX=g++ AR=ar RANLIB=ranlib HOSTFLAG= CMAKEFLAG=; }
occlum_env() {
	CC=occlum-gcc CXX=occlum-g++ AR=occlum-ar RANLIB=occlum-ranlib HOSTFLAG=--host=wasm32-wasi
	CMAKEFLAG=-DCMAKE_TOOLCHAIN_FILE=$root/toolchain/occlum.cmake
}

# build_PKG DIR: builds in DIR with $CC & co; prints nothing on success.
build_lua5.4() { make -s -C "$1/src" posix CC="$CC -std=gnu99" AR="$AR rcu" RANLIB="$RANLIB" >/dev/null; }
build_bzip2() { make -s -C "$1" bzip2 CC="$CC" AR="$AR" RANLIB="$RANLIB" >/dev/null 2>&1; }
build_zlib() { (cd "$1" && CHOST=${HOSTFLAG#--host=} CC="$CC" AR="$AR" RANLIB="$RANLIB" ./configure --static >/dev/null && make -s example minigzip >/dev/null); }
build_mawk() { (cd "$1" && CC="$CC" AR="$AR" RANLIB="$RANLIB" ./configure $HOSTFLAG >/dev/null && make -s >/dev/null); }
build_lz4() { make -s -C "$1/programs" lz4 CC="$CC" AR="$AR" >/dev/null; }
build_cjson() {
	(cd "$1" && mkdir -p b && cd b && cmake .. $CMAKEFLAG -DENABLE_CJSON_TEST=On -DENABLE_CJSON_UTILS=On \
		-DBUILD_SHARED_LIBS=Off >/dev/null && make -s >/dev/null 2>&1)
}
build_gzip() { (cd "$1" && CC="$CC" AR="$AR" RANLIB="$RANLIB" ./configure $HOSTFLAG >/dev/null && make -s >/dev/null 2>&1); }
build_sqlite3() {
	(cd "$1" && mkdir -p b && cd b && ../configure $HOSTFLAG CC="$CC" AR="$AR" RANLIB="$RANLIB" \
		--disable-tcl --disable-readline --disable-load-extension --disable-threadsafe >/dev/null &&
		make -s sqlite3 BCC=gcc >/dev/null 2>&1)
}

# Each package: the binaries to install (path in its tree) and the runs
# (a command line in the LibOS's /root; the same natively).
declare -A bins=(
	[lua5.4]="src/lua"
	[bzip2]="bzip2"
	[zlib]="example minigzip"
	[mawk]="mawk"
	[lz4]="programs/lz4"
	[cjson]="b/cJSON_test b/tests/cjson_add b/tests/compare_tests b/tests/json_patch_tests b/tests/minify_tests b/tests/misc_tests b/tests/misc_utils_tests b/tests/old_utils_tests b/tests/parse_array b/tests/parse_examples b/tests/parse_hex4 b/tests/parse_number b/tests/parse_object b/tests/parse_string b/tests/parse_value b/tests/parse_with_opts b/tests/print_array b/tests/print_number b/tests/print_object b/tests/print_string b/tests/print_value b/tests/readme_examples"
	[sqlite3]="b/sqlite3"
	[gzip]="gzip"
)
declare -A runs=(
	[lua5.4]="lua sanity.lua|lua bench.lua"
	[bzip2]="bzip2 -9 -c data|bzip2 -d -c data.ref.bz2|bzip2 -t data.ref.bz2"
	[zlib]="example|minigzip -c data|minigzip -d -c data.ref.gz"
	[mawk]="mawk -f words.awk text|mawk BEGIN{r=\"a(\";print(match(\"x\",r))}|mawk /a(b/ users|mawk -F: {print\$1,NF,\$3+\$4} users|mawk {n+=length(\$0)}END{print(n,NR)} data"
	[lz4]="lz4 -9 -c data|lz4 -d -c data.ref.lz4"
	[cjson]="cJSON_test|cjson_add|compare_tests|json_patch_tests|minify_tests|misc_tests|misc_utils_tests|old_utils_tests|parse_array|parse_examples|parse_hex4|parse_number|parse_object|parse_string|parse_value|parse_with_opts|print_array|print_number|print_object|print_string|print_value|readme_examples"
	[sqlite3]="sqlite3 db.sqlite .read~sqlite.sql|sqlite3 db.sqlite select~count(*)~from~t;|sqlite3 :memory: .read~sqlite.sql|sqlite3 @TMP@/db.sqlite .read~sqlite.sql|sqlite3 @HOST@/db.sqlite .read~sqlite.sql|sqlite3 @HOST@/db.sqlite select~count(*)~from~t;"
	[gzip]="gzip -9 -n -c data|gzip -d -c data.ref.gz|gzip -t data.ref.gz|gzip -l data.ref.gz"
)
order=(zlib bzip2 lz4 cjson gzip lua5.4 mawk sqlite3)
[ -n "${ONLY:-}" ] && read -ra order <<<"$ONLY"

# Input data: deterministic, compressible text.
mkdata() {
	local d=$1
	mkdir -p "$d"
	awk 'BEGIN { for (i = 0; i < 60000; i++) printf "line %d the quick brown fox %d jumps over the lazy dog %x\n", i, i * 7919 % 1000, i }' >"$d/data"
	head -c 200000 "$d/data" | tr 'a-z' 'n-za-m' >"$d/text"
	cat "$here/sanity.lua" >"$d/sanity.lua"
	cat "$here/words.awk" >"$d/words.awk"
	cat "$here/sqlite.sql" >"$d/sqlite.sql"
	printf 'local s = 0\nfor i = 1, 30000000 do s = s + i %% 7 end\nprint(s)\n' >"$d/bench.lua"
	printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nuser:x:1000:1000:A User,,,:/home/user:/bin/bash\n' >"$d/users"
}

status=0
summary=()
for pkg in "${order[@]}"; do
	echo "== $pkg"
	fetch "$pkg"
	for tc in native occlum; do
		unpack "$pkg" "$pkg.$tc"
		${tc}_env
		if ! "build_$pkg" "$work/$pkg.$tc"; then
			echo "$pkg: the $tc build failed" >&2
			status=1
			summary+=("$pkg: $tc build FAILED")
			continue 2
		fi
	done
	# The native side: binaries on PATH, run in a copy of the data.
	nd=$work/$pkg.run.native && rm -rf "$nd" && mkdata "$nd"
	mkdir -p "$nd/bin" "$nd/tmp" "$nd/host"
	for b in ${bins[$pkg]}; do cp "$work/$pkg.native/$b" "$nd/bin/"; done
	# Reference files made natively (decompression inputs).
	case $pkg in
	bzip2) "$nd/bin/bzip2" -9 -c "$nd/data" >"$nd/data.ref.bz2" ;;
	zlib | gzip) gzip -9 -n -c "$nd/data" >"$nd/data.ref.gz" ;;
	lz4) "$nd/bin/lz4" -q -c "$nd/data" >"$nd/data.ref.lz4" ;;
	cjson) cp -r "$work/cjson.native/b/tests/inputs" "$work/cjson.native/b/tests/json-patch-tests" "$nd/" ;;
	esac
	# The LibOS side: an instance with the same files in /root.
	inst=$work/$pkg.inst && rm -rf "$inst" && occlum new "$inst" >/dev/null
	for b in ${bins[$pkg]}; do cp "$work/$pkg.occlum/$b" "$inst/image/bin/"; done
	cp "$root/bin/userland/sh" "$root/bin/userland/echo" "$root/bin/userland/cat" "$inst/image/bin/"
	cp -r "$nd"/. "$inst/image/root/" && rm -rf "$inst/image/root/bin" "$inst/image/root/tmp" "$inst/image/root/host"
	(cd "$inst" && occlum build >/dev/null)
	pkg_ok=1
	IFS='|' read -ra cmds <<<"${runs[$pkg]}"
	for c in "${cmds[@]}"; do
		read -ra argv <<<"$c"
		argv=("${argv[@]//\~/ }") # "~" stands for a space inside an argument
		# @TMP@ and @HOST@ are /tmp and /host in the LibOS (ramfs and
		# hostfs mounts), directories of the data copy natively.
		nargv=("${argv[@]//@TMP@/$nd/tmp}") && nargv=("${nargv[@]//@HOST@/$nd/host}")
		largv=("${argv[@]//@TMP@//tmp}") && largv=("${largv[@]//@HOST@//host}")
		# zlib's example prints its compile flags first, which depend on
		# the word size (wasm32 against x86-64): that line is not compared.
		# cJSON's unit tests (Unity) name their source by its path in the
		# build tree, which differs: the directories are not compared.
		filter=cat
		[ "${argv[0]}" = example ] && filter="sed 1d"
		[ "$pkg" = cjson ] && filter="sed s|^[^:]*/tests/||"
		t0=$(date +%s.%N)
		want=$(cd "$nd" && PATH="$nd/bin:$PATH" timeout 300 "${nargv[@]}" 2>&1 | $filter | sha256sum; echo "rc ${PIPESTATUS[0]}")
		tn=$(date +%s.%N)
		got=$(cd "$inst" && timeout 300 occlum run --cwd /root "/bin/${argv[0]}" "${largv[@]:1}" 2>&1 | $filter | sha256sum; echo "rc ${PIPESTATUS[0]}")
		t1=$(date +%s.%N)
		if [ "$want" = "$got" ]; then
			awk -v p="$pkg" -v c="${argv[*]}" -v a="$t0" -v b="$tn" -v e="$t1" \
				'BEGIN { printf "ok   %s: %s (native %.2f s, LibOS %.2f s)\n", p, c, b - a, e - b }'
			[ -n "${BENCH:-}" ] && awk -v p="$pkg" -v c="${argv[*]}" -v a="$t0" -v b="$tn" -v e="$t1" \
				'BEGIN { printf "| %s | `%s` | %.2f | %.2f | %.1fx |\n", p, c, b - a, e - b, (e - b) / (b - a) }' >>"$work/bench.md"
		else
			echo "FAIL $pkg: ${argv[*]}: native and LibOS outputs differ" >&2
			(cd "$nd" && PATH="$nd/bin:$PATH" "${nargv[@]}" 2>&1 | head -20) >"$work/$pkg.want" || true
			(cd "$inst" && occlum run --cwd /root "/bin/${argv[0]}" "${largv[@]:1}" 2>&1 | head -20) >"$work/$pkg.got" || true
			diff "$work/$pkg.want" "$work/$pkg.got" | head -20 >&2 || true
			status=1
			pkg_ok=0
			summary+=("$pkg: ${argv[*]} DIFFERS")
		fi
	done
	[ $pkg_ok = 1 ] && summary+=("$pkg: builds; every run agrees with Linux")
done
printf '%s\n' "${summary[@]}"
exit $status
