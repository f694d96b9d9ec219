#!/usr/bin/env bash
# fetch-debian-src.sh PKG DIR: unpack Debian's source package PKG into DIR
# (once) and print the directory it unpacked to. If apt knows no source
# repositories, a deb-src entry for the release the machine runs is added in
# a file of its own (/etc/apt/sources.list.d/occlum-deb-src.sources). Needs
# root (or sudo) the first time.
set -euo pipefail
pkg=$1
dest=$2
mkdir -p "$dest"
found() { ls -d "$dest/$pkg"-*/ 2>/dev/null | head -n 1; }
if d=$(found) && [ -n "$d" ]; then
	echo "${d%/}"
	exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! command -v dpkg-source >/dev/null; then
	$sudo apt-get update >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dpkg-dev >&2
fi
if ! apt-get source --print-uris "$pkg" >/dev/null 2>&1; then
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	$sudo tee /etc/apt/sources.list.d/occlum-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	$sudo apt-get update >&2
fi
(cd "$dest" && apt-get source "$pkg" >&2)
d=$(found)
echo "${d%/}"
