# Occlum in Go: build, test, benchmark and demo.
#
#   make deps    install the C-to-wasm toolchain (Debian packages) if missing, download Go modules
#   make build   build every command in cmd/ into bin/, plus occlum-gcc, occlum-g++, occlum-c++ links to occlum-cc,
#                libocclum (the C overlay occlum-gcc links) into bin/libocclum, and the shell and
#                utilities (userland/) into bin/userland, which `occlum new` installs in image/bin
#   make test    deps, build, gofmt, go vet, go generate must change nothing, go test -race,
#                then every fuzz target for FUZZTIME_TEST (5s) each
#   make fuzz    every fuzz target in the repository (found by go test -list) for FUZZTIME (60s) each
#   make test-programs  the Debian real-program suite (test/programs/run.sh; CI runs it too)
#   make bench   benchmarks (not part of make test); also installs BENCH_DEB_PACKAGES if missing
#   make demo    deps, build, then demo/run.sh
#   make clean   remove what the build made

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Go may not be on PATH (CI images install it in /usr/local/go/bin).
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := /usr/local/go/bin:$(PATH)
endif
GO ?= go

# The toolchain behind occlum-gcc (cmd/occlum-cc): clang for wasm32-wasi,
# wasm-ld, wasi-libc, compiler-rt builtins, libc++ and libc++abi; llvm for
# occlum-ar, occlum-ranlib, occlum-nm and occlum-strip; g++ builds the native
# half of the C++ oracle tests (test/cxx_exceptions); procps is the oracle of
# userland's ps (userland/ps_test.go); fuse3's fusermount3 lets users other
# than root run `occlum mount` and its tests (fs/fuseview, cmd/occlum: root
# mounts with mount(2), and the tests skip, saying why, without FUSE).
DEB_PACKAGES := clang lld llvm g++ wasi-libc libclang-rt-14-dev-wasm32 wabt \
	libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 protobuf-compiler procps fuse3
# What only `make bench` needs (make test does not): gocryptfs and fuse3
# (fusermount3; in DEB_PACKAGES too) for the file-system benchmarks' FUSE
# peer (bench/fs_test.go);
# apache2-utils (ab) and curl for the HTTP benchmark (bench/http.sh, run by
# bench/http_test.go).
BENCH_DEB_PACKAGES := gocryptfs fuse3 apache2-utils curl

TEST_TIMEOUT ?= 20m
# make bench as a whole (go test's default, 10m, is too short for the
# file-system benchmarks at their full 1 GiB).
BENCH_TIMEOUT ?= 90m
# How long `make fuzz` and `make test` run each fuzz target.
FUZZTIME ?= 60s
FUZZTIME_TEST ?= 5s
BIN := bin
TOOL_NAMES := occlum-gcc occlum-g++ occlum-c++ occlum-ar occlum-ranlib occlum-nm occlum-strip

.PHONY: all deps bench-deps go-check build test test-go test-programs fuzz bench demo clean

all: build

go-check:
	@command -v $(GO) >/dev/null || { echo "make: go not found (not on PATH, not in /usr/local/go/bin); install Go $$(sed -n 's/^go //p' go.mod) from https://go.dev/dl" >&2; exit 1; }

# install-debs TARGET,PACKAGES: apt-get install those of PACKAGES that are
# not installed (nothing, with a note, where there is no dpkg).
define install-debs
	@if ! command -v dpkg >/dev/null; then \
		echo "make $(1): not a Debian system; install these yourself: $(2)"; \
	else \
		missing=""; \
		for p in $(2); do \
			dpkg -s "$$p" 2>/dev/null | grep '^Status: install ok installed' >/dev/null || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
			echo "make $(1): installing$$missing"; \
			$$sudo apt-get update; \
			$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		fi; \
	fi
endef

deps: go-check
	$(call install-debs,deps,$(DEB_PACKAGES))
	$(GO) mod download

# The benchmarks' own Debian packages (BENCH_DEB_PACKAGES). A benchmark whose
# tool is still missing (no dpkg, no network) skips its row and says why.
bench-deps:
	$(call install-debs,bench-deps,$(BENCH_DEB_PACKAGES))

# Every command in cmd/ (occlum, occlum-libos, occlum-cc, ...) lands in bin/;
# the toolchain names are links to occlum-cc, which picks C or C++ by name.
# libocclum (sfi/libocclum: headers and libocclum.a) is built with it into
# bin/libocclum, where occlum-cc finds it; skipped with a note when the wasm
# toolchain is missing, a no-op when up to date.
build: go-check
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...
	@# The file-system plugins (docs/plugins.md), beside occlum: `occlum
	@# build` finds a plugin named by a bare name here.
	$(GO) build -o $(BIN)/occlum-hostfs-plugin ./plugins/hostfs
	$(GO) build -o $(BIN)/occlum-tarfs-plugin ./plugins/tarfs
	@for n in $(TOOL_NAMES); do ln -sfn occlum-cc $(BIN)/$$n; done
	$(GO) run ./sfi/libocclum/mklibocclum -cc $(BIN)/occlum-cc -o $(BIN)/libocclum
	@# The shell and utilities every new instance gets in image/bin.
	$(MAKE) -s -C userland CC=$(abspath $(BIN))/occlum-gcc OUT=$(abspath $(BIN))/userland

test: deps build test-go

# The real-program suite (test/programs/run.sh, docs/compatibility.md):
# Debian source packages fetched with apt-get source, built natively and
# with occlum-gcc by their own build systems, run natively and in the
# LibOS, outputs compared. About 5 minutes; CI runs it after make test.
test-programs: deps build
	./test/programs/run.sh

# The checks without deps and build, for a machine that has them.
# go generate must reproduce the tree byte for byte: the tree's state is
# compared before and after, so a working tree with uncommitted edits can run
# it; in CI (a clean checkout) this means git status stays clean.
test-go: go-check
	@unformatted="$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		state() { git status --porcelain -uall; git diff; \
			git ls-files -o --exclude-standard -z | xargs -0 -r sha256sum; }; \
		before="$$(state | sha256sum)"; \
		$(GO) generate ./...; \
		if [ "$$(state | sha256sum)" != "$$before" ]; then \
			echo "go generate changed the tree:"; git status --porcelain; exit 1; \
		fi; \
	else \
		echo "not a git checkout: running go generate without the clean-tree check"; \
		$(GO) generate ./...; \
	fi
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_TEST) FUZZ_LIST_FLAGS=-race

# Every fuzz target (func FuzzX in a _test.go file; see
# sfi/preempt/fuzz_test.go), each for FUZZTIME, without -race. go test
# -fuzz takes one package and one target at a time, so the targets are
# listed first and run one by one: go test -list names them, in the
# packages whose tests mention "func Fuzz" (listing every package would
# build and link every test binary: over a minute from a cold cache).
# -run '^$' keeps TestMains from acting as after a full run; make test lists
# with -race (FUZZ_LIST_FLAGS) to reuse what its go test -race built. A
# failing input is kept in the package's testdata/fuzz/FuzzX/: commit it as
# a seed with the fix. A bare "context deadline exceeded" with no failing
# input is Go 1.26's -fuzztime race (go.dev/issue/75804): that target runs
# once more, and fails the run only if it fails again.
fuzz: go-check
	@pkgs="$$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' ./... | \
		while read -r pkg dir; do ! grep -qs '^func Fuzz' "$$dir"/*_test.go || echo "$$pkg"; done)"; \
	targets=""; \
	if [ -n "$$pkgs" ]; then \
		targets="$$($(GO) test $(FUZZ_LIST_FLAGS) -run '^$$' -list '^Fuzz' $$pkgs | \
			awk '/^Fuzz/ { t[++n] = $$1; next } /^ok / { for (i = 1; i <= n; i++) print $$2, t[i] } { n = 0 }')"; \
	fi; \
	if [ -z "$$targets" ]; then echo "make fuzz: no fuzz targets found" >&2; exit 1; fi; \
	log="$$(mktemp)"; trap 'rm -f "$$log"' EXIT; \
	while read -r pkg target; do \
		echo "fuzz: $$target ($$pkg) for $(FUZZTIME)"; \
		if ! $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null 2>&1 | tee "$$log"; then \
			if grep -q 'context deadline exceeded' "$$log" && ! grep -q 'Failing input written' "$$log"; then \
				echo "fuzz: $$target: Go's -fuzztime deadline race (go.dev/issue/75804, fixed in Go 1.27), no failing input: once more"; \
				$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null; \
			else \
				exit 1; \
			fi; \
		fi; \
	done <<< "$$targets"

bench: deps bench-deps build
	@if [ -d bench ]; then \
		$(GO) test -run '^$$' -bench . -timeout $(BENCH_TIMEOUT) ./bench/...; \
	else \
		echo "make bench: no bench/ directory yet; nothing to run"; \
	fi

demo: deps build
	@test -x demo/run.sh || { echo "make demo: demo/run.sh is missing or not executable" >&2; exit 1; }
	demo/run.sh

clean:
	rm -rf $(BIN) build test/build
