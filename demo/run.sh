#!/usr/bin/env bash
# The built-in demo: the four-step Occlum workflow on demo/demo.c, in
# simulation mode, then a shell pipeline (several LibOS processes and
# pipes), data persisted encrypted in the root file system, and a tampered
# image being refused. Run it through `make demo`, which builds bin/ first.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/bin"
work=$(mktemp -d "${TMPDIR:-/tmp}/occlum-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cd "$work"
step "occlum-gcc -o demo demo.c"
"$bin/occlum-gcc" -O2 -o demo "$top/demo/demo.c"

step "occlum new inst && cd inst && cp ../demo image/bin/"
"$bin/occlum" new inst
cd inst
cp ../demo image/bin/

step "occlum build"
"$bin/occlum" build

step "occlum run /bin/demo /tmp/demo hello world"
status=0
"$bin/occlum" run /bin/demo /tmp/demo hello world || status=$?
printf '\n(exit status %d)\n' "$status"

step "occlum run /bin/sh -c 'ls /bin | grep -c e; echo \$((6 * 7)) | cat'   # processes and pipes"
"$bin/occlum" run /bin/sh -c 'ls /bin | grep -c e; echo $((6 * 7)) | cat'

step "occlum print mrenclave"
"$bin/occlum" print mrenclave

step "occlum run /bin/sh -c 'echo secret > /root/data; sync'   # the root is writable, encrypted"
"$bin/occlum" run /bin/sh -c 'echo secret > /root/data; sync'

step "occlum run /bin/cat /root/data   # persisted"
"$bin/occlum" run /bin/cat /root/data

step "grep -r secret run/   # no plaintext on the host"
if grep -r secret run/; then
  echo "demo: plaintext of /root/data on the host" >&2
  exit 1
fi
echo "(nothing)"

step "flip a byte of /bin/demo in the image layer (build/mount/__ROOT) && occlum run /bin/demo   # refused"
size=$(stat -c %s image/bin/demo)
obj=
for f in build/mount/__ROOT/objects/*; do
  if cmp -s -n "$size" "$f" image/bin/demo; then obj=$f; fi
done
[ -n "$obj" ] || { echo "demo: /bin/demo's object not found in the image layer" >&2; exit 1; }
printf 'X' | dd of="$obj" bs=1 seek=5000 conv=notrunc status=none
if "$bin/occlum" run /bin/demo; then
  echo "demo: a tampered image was not refused" >&2
  exit 1
fi
exit "$status"
