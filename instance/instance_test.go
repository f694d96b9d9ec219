package instance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/platform"
)

// testKey is one RSA-3072 key shared by the tests (generating is slow).
var testKey *rsa.PrivateKey

func TestMain(m *testing.M) {
	var err error
	testKey, err = rsa.GenerateKey(rand.Reader, SignKeyBits)
	if err != nil {
		panic(err)
	}
	// The developer key and trusted signers of these tests live in a
	// throw-away user directory.
	user, err := os.MkdirTemp("", "occlum-user")
	if err != nil {
		panic(err)
	}
	os.Setenv(ConfigDirEnv, user)
	code := m.Run()
	os.RemoveAll(user)
	os.Exit(code)
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testKeyPath(t *testing.T) string {
	t.Helper()
	return writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testKey))
}

func fakeLibOS(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "occlum-libos")
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// newBuilt makes an instance with /bin/hello in its image and builds it.
func newBuilt(t *testing.T) (dir string, opts BuildOptions) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "inst")
	if err := New(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "image/bin/hello"), "\x00asm hello")
	opts = BuildOptions{SignKeyPath: testKeyPath(t), LibOSBinary: fakeLibOS(t, "libos v1")}
	if _, err := Build(dir, opts); err != nil {
		t.Fatal(err)
	}
	return dir, opts
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, err, kind error, msg string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want kind %v", err, kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("err = %q, want it to contain %q", err, msg)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("err %q is not one line", err)
	}
}

func TestNewLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "inst")
	if err := New(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"bin", "lib", "tmp", "dev", "proc", "host", "root", "etc"} {
		if st, err := os.Stat(filepath.Join(dir, ImageDir, d)); err != nil || !st.IsDir() {
			t.Errorf("image/%s: %v", d, err)
		}
	}
	c, err := config.Load(filepath.Join(dir, ConfigFile), config.Options{MountTypes: config.BuiltinMountTypes()})
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Canonical()) != string(config.Default().Canonical()) {
		t.Error("Occlum.json is not the default")
	}
	// Every mount point of the default config exists in the image.
	for _, m := range c.Mounts {
		if m.Target == "/" || m.Target == "/dev/shm" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, ImageDir, m.Target)); err != nil {
			t.Errorf("mount point %s missing from image/", m.Target)
		}
	}
	wantKind(t, New(dir), ErrNotEmpty, "is not empty")

	empty := t.TempDir()
	if err := New(empty); err != nil {
		t.Errorf("New(empty existing dir) = %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	write(t, file, "x")
	if err := New(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("New(file) = %v", err)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "README"), "mine")
	if err := Init(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	wantKind(t, Init(dir), ErrAlreadyInstance, "is already an Occlum instance")
	wantKind(t, Init(filepath.Join(dir, "missing")), ErrNotInstance, "does not exist")
}

func TestBuildAndVerify(t *testing.T) {
	dir, opts := newBuilt(t)
	for _, f := range []string{LibOSFile, ImageLayerDir + "/sefs.db", CanonicalFile, SigStructFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.SigStruct.SGXMode != "SIM" || b.Config.SFI.Engine != "compiler" || *b.ImageRoot() == ([32]byte{}) {
		t.Errorf("built = %+v", b)
	}
	if b.SigStruct.MRSigner != MRSigner(&testKey.PublicKey) {
		t.Error("MRSIGNER is not the sign key's")
	}
	m := b.Measurement()
	if m.MREnclave != [32]byte(b.SigStruct.MREnclave) || !m.Debuggable {
		t.Errorf("measurement %v", m)
	}

	// A rebuild of the same input measures the same.
	b2, err := Build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if b2.SigStruct.MREnclave != b.SigStruct.MREnclave {
		t.Error("MRENCLAVE is not deterministic")
	}
	// Whitespace in Occlum.json is not a change.
	cfgPath := filepath.Join(dir, ConfigFile)
	data, _ := os.ReadFile(cfgPath)
	write(t, cfgPath, "\n  "+string(data)+"\n\n")
	if _, err := Verify(dir); err != nil {
		t.Errorf("reformatted Occlum.json refused: %v", err)
	}
}

func TestMeasurementCoversEveryInput(t *testing.T) {
	dir, opts := newBuilt(t)
	base, _ := Verify(dir)
	mr := func() Hash {
		t.Helper()
		b, err := Build(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		return b.SigStruct.MREnclave
	}
	seen := map[Hash]string{base.SigStruct.MREnclave: "base"}
	check := func(name string) {
		h := mr()
		if prev, ok := seen[h]; ok {
			t.Errorf("%s: same MRENCLAVE as %s", name, prev)
		}
		seen[h] = name
	}
	opts.LibOSBinary = fakeLibOS(t, "libos v2")
	check("libos")
	write(t, filepath.Join(dir, "image/bin/hello"), "\x00asm hello 2")
	check("image")
	cfgPath := filepath.Join(dir, ConfigFile)
	setConfig(t, cfgPath, func(c map[string]any) { c["sfi"] = map[string]any{"engine": "interpreter"} })
	check("config")
	setConfig(t, cfgPath, func(c map[string]any) { c["metadata"].(map[string]any)["version_number"] = 3 })
	check("metadata")
}

// setConfig edits the instance's Occlum.json as JSON.
func setConfig(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	out, _ := json.Marshal(c)
	write(t, path, string(out))
}

// The developer key lives in the user's Occlum directory, owner-only, not
// in the instance (which a hostfs mount could expose): the review read
// .occlum/dev_sign_key.pem through /host and re-signed a build with it.
func TestDevKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	if err := New(dir); err != nil {
		t.Fatal(err)
	}
	// A key left by an older build is reported, not used.
	legacy := filepath.Join(dir, legacyKeyDir, DevKeyName)
	if err := os.MkdirAll(filepath.Dir(legacy), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(legacy, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	opts := BuildOptions{LibOSBinary: fakeLibOS(t, "x"), Warn: func(w string) { warnings = append(warnings, w) }}
	b1, err := Build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "old developer key") {
		t.Errorf("warnings %q", warnings)
	}
	user, err := UserDir()
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(user, DevKeyName)
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("dev key: %v %v", st, err)
	}
	if st, err := os.Stat(user); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("user directory: %v %v", st, err)
	}
	if rel, err := filepath.Rel(dir, key); err == nil && filepath.IsLocal(rel) {
		t.Fatalf("the developer key %s is inside the instance", key)
	}
	b2, err := Build(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if b1.SigStruct.MRSigner != b2.SigStruct.MRSigner {
		t.Error("the developer key was not kept")
	}
	if _, err := Verify(dir); err != nil {
		t.Error(err)
	}
	// A developer key others can read is refused.
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(key, 0o600)
	if _, err := Build(dir, opts); !errors.Is(err, ErrSignKey) || !strings.Contains(err.Error(), "accessible to other users") {
		t.Errorf("world-readable developer key: %v", err)
	}
}

// The build records its signer outside the instance; a build re-signed by
// another key (a guest that stole a key, or anyone) is refused, naming both
// fingerprints.
func TestTrustedSigner(t *testing.T) {
	dir, opts := newBuilt(t)
	b, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, from, err := TrustedSigner(dir, "")
	if err != nil || want != b.SigStruct.MRSigner || !strings.Contains(from, "recorded") {
		t.Fatalf("TrustedSigner = %v %q %v", want, from, err)
	}
	if err := CheckSigner(b, want, from); err != nil {
		t.Fatal(err)
	}
	// Re-signed by another key: Verify accepts the signature (it is
	// valid), the trusted signer does not.
	other, err := rsa.GenerateKey(rand.Reader, SignKeyBits)
	if err != nil {
		t.Fatal(err)
	}
	sig := *b.SigStruct
	if err := sig.sign(other); err != nil {
		t.Fatal(err)
	}
	data, _ := jsonIndent(&sig)
	write(t, filepath.Join(dir, SigStructFile), string(data))
	b2, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckSigner(b2, want, from)
	if !errors.Is(err, ErrUntrustedSigner) || !strings.Contains(err.Error(), want.String()) ||
		!strings.Contains(err.Error(), sig.MRSigner.String()) {
		t.Fatalf("re-signed build: %v", err)
	}
	// --mrsigner trusts what it is given.
	if h, _, err := TrustedSigner(dir, sig.MRSigner.String()); err != nil || h != sig.MRSigner {
		t.Fatalf("--mrsigner: %v %v", h, err)
	}
	if _, _, err := TrustedSigner(dir, "xyz"); err == nil {
		t.Fatal("a bad --mrsigner accepted")
	}
	// An instance nobody built here has no trusted signer.
	moved := filepath.Join(t.TempDir(), "copy")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if _, _, err := TrustedSigner(moved, ""); !errors.Is(err, ErrUntrustedSigner) {
		t.Fatalf("copied instance: %v", err)
	}
	_ = opts
}

func TestProtectedPaths(t *testing.T) {
	dir := "/x/inst"
	got := strings.Join(ProtectedPaths(dir), " ")
	user, _ := UserDir()
	for _, want := range []string{"/x/inst/Occlum.json", "/x/inst/build", "/x/inst/image", "/x/inst/run", "/x/inst/.occlum", user} {
		if !strings.Contains(got, want) {
			t.Errorf("ProtectedPaths misses %s: %s", want, got)
		}
	}
}

func TestBuildRefusals(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	if err := New(dir); err != nil {
		t.Fatal(err)
	}
	key, libos := testKeyPath(t), fakeLibOS(t, "x")
	ok := BuildOptions{SignKeyPath: key, LibOSBinary: libos}

	opts := ok
	opts.SGXMode = "HW"
	if _, err := Build(dir, opts); !errors.Is(err, platform.ErrHardwareUnsupported) {
		t.Errorf("HW: %v", err)
	}
	opts.SGXMode = "turbo"
	if _, err := Build(dir, opts); err == nil || !strings.Contains(err.Error(), `unknown SGX mode "turbo"`) {
		t.Errorf("bad mode: %v", err)
	}

	opts = ok
	opts.LibOSBinary = ""
	_, err := Build(dir, opts)
	wantKind(t, err, ErrLibOSBinary, "no LibOS binary given")
	opts.LibOSBinary = filepath.Join(t.TempDir(), "nope")
	_, err = Build(dir, opts)
	wantKind(t, err, ErrLibOSBinary, "no such file")
	opts.LibOSBinary = t.TempDir()
	_, err = Build(dir, opts)
	wantKind(t, err, ErrLibOSBinary, "not a regular file")

	small, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	ec8, _ := x509.MarshalPKCS8PrivateKey(ec)
	for name, tc := range map[string]struct {
		path, msg string
	}{
		"2048":     {writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "is RSA-2048; SGX signing needs RSA-3072"},
		"ec":       {writePEM(t, "EC PRIVATE KEY", ecDER), "is an ECDSA key"},
		"ec pkcs8": {writePEM(t, "PRIVATE KEY", ec8), "is an ECDSA key"},
		"public":   {writePEM(t, "PUBLIC KEY", []byte("x")), `PEM block "PUBLIC KEY" is not a private key`},
		"garbage":  {fakeLibOS(t, "not pem"), "not a PEM file"},
		"missing":  {filepath.Join(t.TempDir(), "nokey.pem"), "no such file"},
		"broken":   {writePEM(t, "RSA PRIVATE KEY", []byte("junk")), "malformed PKCS#1 key"},
	} {
		opts := ok
		opts.SignKeyPath = tc.path
		_, err := Build(dir, opts)
		if !errors.Is(err, ErrSignKey) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// PKCS#8 RSA-3072 is fine.
	der, _ := x509.MarshalPKCS8PrivateKey(testKey)
	opts = ok
	opts.SignKeyPath = writePEM(t, "PRIVATE KEY", der)
	if _, err := Build(dir, opts); err != nil {
		t.Errorf("PKCS#8: %v", err)
	}

	write(t, filepath.Join(dir, ConfigFile), `{"resource_limits": {"user_space_size": "12XB"}}`)
	_, err = Build(dir, ok)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Field != "resource_limits.user_space_size" {
		t.Errorf("bad config: %v", err)
	}
	write(t, filepath.Join(dir, ConfigFile), `{"mount": [{"target": "/", "type": "zfs"}]}`)
	if _, err = Build(dir, ok); err == nil || !strings.Contains(err.Error(), `unknown mount type "zfs"`) {
		t.Errorf("unknown mount type: %v", err)
	}
	_, err = Build(filepath.Join(dir, "image"), ok)
	wantKind(t, err, ErrNotInstance, "is not an Occlum instance (no Occlum.json)")
}

func TestVerifyRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, dir string)
		kind    error
		msg     string
	}{
		{"missing dir", func(t *testing.T, dir string) { os.RemoveAll(dir) }, ErrNotInstance, "does not exist"},
		{"not an instance", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ConfigFile)) }, ErrNotInstance, "is not an Occlum instance"},
		{"not built", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, BuildDir)) }, ErrNotBuilt, "is not built yet"},
		{"config changed", func(t *testing.T, dir string) {
			setConfig(t, filepath.Join(dir, ConfigFile), func(c map[string]any) { c["entry_points"] = []string{"/bin", "/usr/bin"} })
		}, ErrConfigChanged, "Occlum.json changed after build"},
		{"config broken", func(t *testing.T, dir string) { write(t, filepath.Join(dir, ConfigFile), `{"x": 1}`) },
			ErrConfigChanged, `Occlum.json changed after build and is no longer valid: Occlum.json: unknown field "x"`},
		{"image layer removed", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, ImageLayerDir)) },
			ErrTampered, "the image layer ./build/mount/__ROOT is missing"},
		{"libos changed", func(t *testing.T, dir string) { write(t, filepath.Join(dir, LibOSFile), "evil libos") },
			ErrLibOSChanged, "occlum-libos changed after build"},
		{"libos removed", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, LibOSFile)) },
			ErrLibOSChanged, "is missing"},
		{"canonical config edited", func(t *testing.T, dir string) {
			p := filepath.Join(dir, CanonicalFile)
			data, _ := os.ReadFile(p)
			write(t, p, strings.Replace(string(data), `"/bin"`, `"/"`, 1))
		}, ErrTampered, "build/Occlum.json.canonical changed after build"},
		{"sigstruct field edited", func(t *testing.T, dir string) {
			editSig(t, dir, func(s *SigStruct) { s.LibOSHash[0] ^= 1 })
		}, ErrBadSignature, "signature invalid"},
		{"sigstruct re-signed by another key", func(t *testing.T, dir string) {
			other, _ := rsa.GenerateKey(rand.Reader, SignKeyBits)
			editSig(t, dir, func(s *SigStruct) {
				s.LibOSHash[0] ^= 1
				s.MREnclave = s.ComputeMREnclave()
				s.Signature = nil
				if err := s.sign(other); err != nil {
					t.Fatal(err)
				}
				// keep the original signer's key and MRSIGNER
				der, _ := x509.MarshalPKIXPublicKey(&testKey.PublicKey)
				s.SignerKey, s.MRSigner = der, MRSigner(&testKey.PublicKey)
			})
		}, ErrBadSignature, "signature invalid"},
		{"signature bit flipped", func(t *testing.T, dir string) {
			editSig(t, dir, func(s *SigStruct) { s.Signature[10] ^= 0x80 })
		}, ErrBadSignature, "signature invalid"},
		{"mrsigner edited", func(t *testing.T, dir string) {
			editSig(t, dir, func(s *SigStruct) { s.MRSigner[0] ^= 1 })
		}, ErrBadSignature, "MRSIGNER does not match"},
		{"sigstruct garbage", func(t *testing.T, dir string) { write(t, filepath.Join(dir, SigStructFile), "{") },
			ErrBadSignature, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := newBuilt(t)
			tc.breakIt(t, dir)
			_, err := Verify(dir)
			wantKind(t, err, tc.kind, tc.msg)
			var ie *Error
			if errors.As(err, &ie) && ie.Hint == "" && tc.kind != ErrNotInstance {
				t.Errorf("no hint for %v", err)
			}
		})
	}
}

func editSig(t *testing.T, dir string, edit func(*SigStruct)) {
	t.Helper()
	p := filepath.Join(dir, SigStructFile)
	data, _ := os.ReadFile(p)
	var s SigStruct
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	edit(&s)
	out, _ := json.Marshal(&s)
	write(t, p, string(out))
}

func TestOpenSSLKey(t *testing.T) {
	// A key made as the hint says (exponent 3, PKCS#8 or PKCS#1 PEM).
	if _, err := os.Stat("/usr/bin/openssl"); err != nil {
		t.Skip("no openssl")
	}
	p := filepath.Join(t.TempDir(), "k.pem")
	if out, err := runCmd("openssl", "genrsa", "-3", "-out", p, "3072"); err != nil {
		t.Skipf("openssl genrsa: %v %s", err, out)
	}
	if _, err := LoadSignKey(p); err != nil {
		t.Error(err)
	}
}

func runCmd(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

// TestNewWritesNameFiles: a new instance's image has the loopback names,
// and the host's resolver lines (only those) and service names when the
// host has them.
func TestNewWritesNameFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	if err := New(dir); err != nil {
		t.Fatal(err)
	}
	hosts, err := os.ReadFile(filepath.Join(dir, ImageDir, "etc/hosts"))
	if err != nil || !strings.Contains(string(hosts), "127.0.0.1\tlocalhost") {
		t.Fatalf("etc/hosts: %q, %v", hosts, err)
	}
	if _, err := os.Stat("/etc/resolv.conf"); err == nil {
		got, err := os.ReadFile(filepath.Join(dir, ImageDir, "etc/resolv.conf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] != "nameserver" && f[0] != "search" && f[0] != "domain" && f[0] != "options" {
				t.Errorf("resolv.conf line %q copied", line)
			}
		}
	}
	if got := resolverLines([]byte("# comment\nnameserver 10.0.0.2\nsortlist 1.2.3.4\nsearch  a.example   b.example\n")); string(got) != "nameserver 10.0.0.2\nsearch a.example b.example\n" {
		t.Errorf("resolverLines: %q", got)
	}
}
