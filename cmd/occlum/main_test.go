package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/instance"
)

var (
	keyOnce sync.Once
	keyPEM  []byte
)

// TestMain gives the tests a throw-away user directory (developer key,
// trusted signers).
func TestMain(m *testing.M) {
	user, err := os.MkdirTemp("", "occlum-user")
	if err != nil {
		panic(err)
	}
	os.Setenv(instance.ConfigDirEnv, user)
	code := m.Run()
	os.RemoveAll(user)
	os.Exit(code)
}

// signKey writes a shared RSA-3072 key (generated once) and returns its path.
func signKey(t *testing.T) string {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 3072)
		if err != nil {
			panic(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	p := filepath.Join(t.TempDir(), "key.pem")
	writeFile(t, p, string(keyPEM), 0o600)
	return p
}

func writeFile(t *testing.T, p, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func occlum(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := doMain(args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// wantError checks the exit status and that stderr is "occlum: <msg>" on
// one line, then an optional "hint: <hint>" line.
func (r result) wantError(t *testing.T, code int, msg, hint string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "occlum: ") || !strings.Contains(lines[0], msg) {
		t.Errorf("stderr first line %q, want occlum: ...%s...", lines[0], msg)
	}
	switch {
	case len(lines) > 2:
		t.Errorf("stderr has %d lines: %q", len(lines), r.stderr)
	case hint != "" && (len(lines) < 2 || !strings.HasPrefix(lines[1], "hint: ") || !strings.Contains(lines[1], hint)):
		t.Errorf("stderr %q, want a hint line containing %q", r.stderr, hint)
	}
}

func (r result) wantOK(t *testing.T) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr %q", r.code, r.stderr)
	}
}

// fakeLibOS writes a shell script standing in for occlum-libos.
func fakeLibOS(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "occlum-libos")
	writeFile(t, p, "#!/bin/sh\n"+script+"\n", 0o755)
	return p
}

// built returns a new, built instance with /bin/hello and its LibOS script.
func built(t *testing.T, script string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "inst")
	occlum(t, "new", dir).wantOK(t)
	writeFile(t, filepath.Join(dir, "image/bin/hello"), "\x00asm", 0o755)
	occlum(t, "build", "--instance-dir", dir, "--sign-key", signKey(t), "--libos", fakeLibOS(t, script)).wantOK(t)
	return dir
}

func TestVersionAndHelp(t *testing.T) {
	r := occlum(t, "version")
	r.wantOK(t)
	if !strings.HasPrefix(r.stdout, "occlum ") {
		t.Errorf("version: %q", r.stdout)
	}
	for _, args := range [][]string{{}, {"--help"}, {"help"}} {
		r := occlum(t, args...)
		r.wantOK(t)
		for _, want := range []string{"occlum new", "occlum build", "occlum run", "SGX_MODE", "OCCLUM_LOG_LEVEL", "--instance-dir"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("occlum %v: help lacks %q", args, want)
			}
		}
	}
	for cmd, want := range map[string]string{
		"new": "must not exist", "init": "existing instance directory", "build": "--sign-key",
		"run": "entry_points", "print": "mrenclave", "version": "version",
	} {
		r := occlum(t, cmd, "--help")
		r.wantOK(t)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("%s --help lacks %q:\n%s", cmd, want, r.stdout)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	occlum(t, "bogus").wantError(t, 2, `unknown command "bogus"`, "occlum --help")
	occlum(t, "build", "--nope").wantError(t, 2, "unknown flag: --nope", "occlum --help")
	occlum(t, "new").wantError(t, 2, "new needs exactly one argument", "occlum --help")
	occlum(t, "new", "a", "b").wantError(t, 2, "new needs exactly one argument", "")
	occlum(t, "init", "x").wantError(t, 2, `init takes no arguments, got "x"`, "")
	occlum(t, "run").wantError(t, 2, "run needs the path", "")
	occlum(t, "print").wantError(t, 2, "print needs one argument", "")
	occlum(t, "print", "mrfoo").wantError(t, 2, `unknown item "mrfoo"`, "")
}

func TestNewAndInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	r := occlum(t, "new", dir)
	r.wantOK(t)
	if !strings.Contains(r.stdout, "Created a new Occlum instance") {
		t.Errorf("stdout %q", r.stdout)
	}
	for _, p := range []string{"Occlum.json", "image/bin", "image/lib", "image/tmp", "image/dev", "image/proc", "image/host", "image/root", "image/etc"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	occlum(t, "new", dir).wantError(t, 1, "is not empty", "occlum init")

	d2 := t.TempDir()
	occlum(t, "init", "--instance-dir", d2).wantOK(t)
	occlum(t, "init", "--instance-dir", d2).wantError(t, 1, "is already an Occlum instance", "")
	t.Setenv("OCCLUM_INSTANCE_DIR", filepath.Join(d2, "nope"))
	occlum(t, "init").wantError(t, 1, "does not exist", "")
}

func TestInitInWorkingDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	occlum(t, "init").wantOK(t)
	if _, err := os.Stat("Occlum.json"); err != nil {
		t.Error(err)
	}
}

func TestBuildAndPrint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	occlum(t, "new", dir).wantOK(t)
	occlum(t, "print", "mrenclave", "--instance-dir", dir).wantError(t, 1, "is not built yet", "run `occlum build` first")
	r := occlum(t, "build", "--instance-dir", dir, "--sign-key", signKey(t), "--libos", fakeLibOS(t, "exit 0"), "--sgx-mode", "SIM")
	r.wantOK(t)
	m := regexp.MustCompile(`mrenclave ([0-9a-f]{64})\nmrsigner  ([0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("build output %q", r.stdout)
	}
	for i, item := range []string{"mrenclave", "mrsigner"} {
		r := occlum(t, "print", item, "--instance-dir", dir)
		r.wantOK(t)
		if r.stdout != m[i+1]+"\n" {
			t.Errorf("print %s = %q, want %q", item, r.stdout, m[i+1])
		}
	}
	// Developer key: the first build without --sign-key makes one.
	t.Setenv("OCCLUM_LIBOS", fakeLibOS(t, "exit 0"))
	occlum(t, "build", "--instance-dir", dir).wantOK(t)
	if _, err := os.Stat(filepath.Join(os.Getenv(instance.ConfigDirEnv), instance.DevKeyName)); err != nil {
		t.Error(err)
	}
	if r := occlum(t, "print", "mrsigner", "--instance-dir", dir); r.stdout == m[2]+"\n" {
		t.Error("MRSIGNER did not change with the key")
	}
}

func TestBuildErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	occlum(t, "new", dir).wantOK(t)
	key, libos := signKey(t), fakeLibOS(t, "exit 0")
	build := func(extra ...string) result {
		return occlum(t, append([]string{"build", "--instance-dir", dir, "--sign-key", key, "--libos", libos}, extra...)...)
	}
	hw := "hardware SGX mode needs the LibOS built with ego-go and run under `ego run`; this build supports SIM only"
	build("--sgx-mode", "HW").wantError(t, 1, hw, "")
	t.Setenv("SGX_MODE", "HW")
	build().wantError(t, 1, hw, "")
	build("--sgx-mode", "SIM").wantOK(t) // the flag wins over the environment
	t.Setenv("SGX_MODE", "SIM")
	build().wantOK(t)
	build("--sgx-mode", "XX").wantError(t, 1, `unknown SGX mode "XX"`, "")

	small, _ := rsa.GenerateKey(rand.Reader, 2048)
	smallPath := filepath.Join(t.TempDir(), "small.pem")
	writeFile(t, smallPath, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})), 0o600)
	build("--sign-key", smallPath).wantError(t, 1, "is RSA-2048; SGX signing needs RSA-3072", "openssl genrsa -3 -out key.pem 3072")
	build("--sign-key", libos).wantError(t, 1, "not a PEM file", "openssl genrsa")
	build("--sign-key", filepath.Join(dir, "missing.pem")).wantError(t, 1, "no such file", "")

	occlum(t, "build", "--instance-dir", dir, "--sign-key", key).wantError(t, 1, "occlum-libos: no such file or directory", "--libos")

	cfg := filepath.Join(dir, "Occlum.json")
	for _, tc := range []struct{ json, msg, hint string }{
		{`{"resource_limits": {`, "Occlum.json: malformed JSON: line 1, column", "without comments"},
		{`{"resource_limits": {"user_space_sizee": "1MB"}}`, `Occlum.json: unknown field "resource_limits.user_space_sizee"`, `did you mean "resource_limits.user_space_size"?`},
		{`{"resource_limits": {"user_space_size": "12XB"}}`, `Occlum.json: resource_limits.user_space_size: size "12XB" has unknown unit "XB"`, ""},
		{`{"process": {"default_heap_size": "-1MB"}}`, "process.default_heap_size: size \"-1MB\" is negative", ""},
		{`{"mount": [{"target": "/", "type": "zfs"}]}`, `mount[0].type: unknown mount type "zfs" (known: devfs, hostfs, plugin, procfs, ramfs, sefs, unionfs)`, ""},
		{`{"mount": [{"target": "/", "type": "hashfs", "source": "./image"}]}`, `mount[0].type: hashfs was replaced by the sefs image layer`, ""},
		{`{"entry_points": ["bin"]}`, `entry_points[0]: "bin" is not an absolute path`, ""},
	} {
		writeFile(t, cfg, tc.json, 0o644)
		build().wantError(t, 1, tc.msg, tc.hint)
	}

	occlum(t, "build", "--instance-dir", filepath.Join(dir, "nope")).wantError(t, 1, "does not exist", "occlum new")
	occlum(t, "build", "--instance-dir", filepath.Join(dir, "image")).wantError(t, 1, "is not an Occlum instance (no Occlum.json)", "occlum new")
}

func TestRunRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		breakIt   func(t *testing.T, dir string)
		path      string
		msg, hint string
	}{
		{"relative path", nil, "bin/hello", `program path "bin/hello" is not absolute`, "/bin/hello"},
		{"outside entry_points", nil, "/etc/passwd", "/etc/passwd is not under any of the entry_points (/bin)", "entry_points"},
		{"dot-dot escape", nil, "/bin/../etc/x", "/bin/../etc/x is not under any of the entry_points", ""},
		{"prefix is not a directory", nil, "/binx/hello", "is not under any of the entry_points", ""},
		{"not built", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, "build")) }, "/bin/hello",
			"is not built yet", "run `occlum build` first"},
		{"missing instance", func(t *testing.T, dir string) { os.RemoveAll(dir) }, "/bin/hello", "does not exist", ""},
		{"config changed", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "Occlum.json")
			data, _ := os.ReadFile(p)
			writeFile(t, p, strings.Replace(string(data), `"/bin"`, `"/"`, 1), 0o644)
		}, "/bin/hello", "Occlum.json changed after build", "occlum build"},
		{"config now invalid", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "Occlum.json"), `{"sfi": {"engine": 1}}`, 0o644)
		},
			"/bin/hello", "Occlum.json changed after build and is no longer valid: Occlum.json: sfi.engine: must be a string, got a number", ""},
		{"image layer removed", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, instance.ImageLayerDir)) },
			"/bin/hello", "the image layer ./build/mount/__ROOT is missing", "occlum build"},
		{"signature tampered", func(t *testing.T, dir string) {
			p := filepath.Join(dir, instance.SigStructFile)
			var s map[string]any
			data, _ := os.ReadFile(p)
			json.Unmarshal(data, &s)
			s["debuggable"] = false
			data, _ = json.Marshal(s)
			writeFile(t, p, string(data), 0o644)
		}, "/bin/hello", "build/sigstruct.json: signature invalid", "occlum build"},
		{"libos replaced", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, instance.LibOSFile), "#!/bin/sh\nexit 0\n", 0o755)
		},
			"/bin/hello", "changed after build", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := built(t, "echo started; exit 0")
			if tc.breakIt != nil {
				tc.breakIt(t, dir)
			}
			r := occlum(t, "run", "--instance-dir", dir, tc.path)
			r.wantError(t, 1, tc.msg, tc.hint)
			if strings.Contains(r.stdout, "started") {
				t.Error("the LibOS was started")
			}
		})
	}
}

func TestRunStartsTheLibOS(t *testing.T) {
	// The stand-in LibOS prints its arguments and the environment it was
	// given on fd 3, and exits 7.
	dir := built(t, `echo "args: $*"; printf 'env: '; tr '\000' ' ' <&3; echo; exit 7`)
	t.Setenv("EXAMPLE", "from host")
	t.Setenv("SECRET_NOT_LISTED", "x")
	r := occlum(t, "--instance-dir", dir, "run", "/bin/./hello", "-v", "--flag", "arg")
	if r.code != 7 {
		t.Fatalf("exit status %d, want 7 (stderr %q)", r.code, r.stderr)
	}
	abs, _ := filepath.Abs(dir)
	if want := "args: run --instance " + abs + " --env-fd 3 -- /bin/hello -v --flag arg\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if !strings.Contains(r.stdout, "env: EXAMPLE=from host \n") {
		t.Errorf("stdout %q: the untrusted env is not exactly EXAMPLE", r.stdout)
	}
	// --cwd goes to the LibOS; a relative one is refused before it runs.
	r = occlum(t, "--instance-dir", dir, "run", "--cwd", "/tmp", "/bin/hello")
	if want := "args: run --instance " + abs + " --env-fd 3 --cwd /tmp -- /bin/hello\n"; r.code != 7 || !strings.Contains(r.stdout, want) {
		t.Errorf("run --cwd /tmp: %d %q, want %q", r.code, r.stdout, want)
	}
	r = occlum(t, "--instance-dir", dir, "run", "--cwd", "tmp", "/bin/hello")
	if r.code == 0 || r.code == 7 || !strings.Contains(r.stderr, `--cwd "tmp" is not absolute`) {
		t.Errorf("run --cwd tmp: %d %q", r.code, r.stderr)
	}
}

// A build re-signed by a key other than the one this user built the
// instance with (the review's attack: a guest stole a key and re-signed
// its own LibOS binary) is refused before its LibOS runs, naming both
// signers; --mrsigner trusts a signer explicitly.
func TestRunRefusesOtherSigner(t *testing.T) {
	dir := built(t, "echo LIBOS RAN; exit 0")
	trusted := strings.TrimSpace(occlum(t, "print", "mrsigner", "--instance-dir", dir).stdout)
	// Someone else (another user directory, another key) rebuilds it.
	mine := os.Getenv(instance.ConfigDirEnv)
	t.Setenv(instance.ConfigDirEnv, t.TempDir())
	occlum(t, "build", "--instance-dir", dir, "--libos", fakeLibOS(t, "echo EVIL LIBOS RAN; exit 0")).wantOK(t)
	other := strings.TrimSpace(occlum(t, "print", "mrsigner", "--instance-dir", dir).stdout)
	t.Setenv(instance.ConfigDirEnv, mine)
	r := occlum(t, "run", "--instance-dir", dir, "/bin/hello")
	if r.code != 1 || strings.Contains(r.stdout, "RAN") || !strings.Contains(r.stderr, trusted) || !strings.Contains(r.stderr, other) {
		t.Fatalf("run of a re-signed build: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = occlum(t, "run", "--instance-dir", dir, "--mrsigner", other, "/bin/hello")
	if r.code != 0 || !strings.Contains(r.stdout, "EVIL LIBOS RAN") {
		t.Fatalf("--mrsigner: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = occlum(t, "run", "--instance-dir", dir, "--mrsigner", "zz", "/bin/hello")
	if r.code != 1 || !strings.Contains(r.stderr, "--mrsigner") {
		t.Fatalf("bad --mrsigner: %d %q", r.code, r.stderr)
	}
	// An instance built elsewhere (no record here) needs --mrsigner.
	t.Setenv(instance.ConfigDirEnv, t.TempDir())
	r = occlum(t, "run", "--instance-dir", dir, "/bin/hello")
	if r.code != 1 || !strings.Contains(r.stderr, "no trusted signer is recorded") {
		t.Fatalf("unrecorded instance: %d %q", r.code, r.stderr)
	}
}

func TestRunExitStatusOfKilledLibOS(t *testing.T) {
	dir := built(t, "kill -TERM $$")
	if r := occlum(t, "run", "--instance-dir", dir, "/bin/hello"); r.code != 128+15 {
		t.Errorf("exit status %d, want 143 (stderr %q)", r.code, r.stderr)
	}
}

// `occlum build --image-key` encrypts the image, and `occlum run` reads
// its own --image-key: the two commands' flags share a name but not a
// setting (they once shared one viper key, and build read run's flag,
// which is never set: the image was packed integrity-only, in plaintext).
func TestBuildImageKeyEncrypts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	occlum(t, "new", dir).wantOK(t)
	writeFile(t, filepath.Join(dir, "image/bin/hello"), "\x00asm", 0o755)
	writeFile(t, filepath.Join(dir, "image/plaintext-name"), "plaintext contents", 0o644)
	key := filepath.Join(t.TempDir(), "image.key")
	occlum(t, "gen-image-key", key).wantOK(t)
	r := occlum(t, "build", "--instance-dir", dir, "--sign-key", signKey(t), "--libos", fakeLibOS(t, "exit 0"), "--image-key", key)
	r.wantOK(t)
	if !strings.Contains(r.stdout, "(encrypted)") {
		t.Errorf("build --image-key: %q, want the image packed (encrypted)", r.stdout)
	}
	filepath.WalkDir(filepath.Join(dir, instance.ImageLayerDir), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			if bytes.Contains(data, []byte("plaintext contents")) || bytes.Contains(data, []byte("plaintext-name")) {
				t.Errorf("%s holds plaintext of the image", p)
			}
		}
		return nil
	})
	// Without the flag, the same command line builds integrity-only.
	r = occlum(t, "build", "--instance-dir", dir, "--sign-key", signKey(t), "--libos", fakeLibOS(t, "exit 0"))
	r.wantOK(t)
	if !strings.Contains(r.stdout, "(integrity-only)") {
		t.Errorf("build: %q, want the image packed (integrity-only)", r.stdout)
	}
}
