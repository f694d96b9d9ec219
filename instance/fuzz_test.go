package instance

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// The fuzz targets use a fixed signing key from testdata (a test-only key,
// see testdata/README): PKCS#1 v1.5 signatures are deterministic, so every
// fuzzing process (the coordinator and each worker) makes the same signed
// sigstructs from it, and FuzzSigStruct can tell a legitimately signed one
// from anything else. Nothing generates keys per input.
var fuzz struct {
	once   sync.Once
	err    error
	key    *rsa.PrivateKey
	signed []*SigStruct // valid sigstructs, made with key
}

func fuzzSetup(tb testing.TB) {
	tb.Helper()
	fuzz.once.Do(func() {
		data, err := os.ReadFile("testdata/keys/sign-key-pkcs8.pem")
		if err != nil {
			fuzz.err = err
			return
		}
		if fuzz.key, fuzz.err = ParseSignKey(data, "sign-key-pkcs8.pem"); fuzz.err != nil {
			return
		}
		var h Hash
		for i := range h {
			h[i] = byte(i)
		}
		for _, s := range []*SigStruct{
			{SGXMode: "SIM", LibOSHash: h, ConfigHash: Hash(sha256.Sum256([]byte("config"))),
				ImageRootHash: Hash(sha256.Sum256([]byte("image"))), Debuggable: true},
			{SGXMode: "HW", LibOSHash: Hash(sha256.Sum256(nil)), ProductID: 65535, VersionNumber: 7},
		} {
			s.Version = sigStructVersion
			s.MREnclave = s.ComputeMREnclave()
			if fuzz.err = s.sign(fuzz.key); fuzz.err != nil {
				return
			}
			fuzz.signed = append(fuzz.signed, s)
		}
	})
	if fuzz.err != nil {
		tb.Fatal(fuzz.err)
	}
}

// mutations returns s with each field changed in a few ways, every field
// being covered by the signature (the signature itself included).
func mutations(s *SigStruct) []*SigStruct {
	var out []*SigStruct
	orig := reflect.ValueOf(s).Elem()
	for i := range orig.NumField() {
		edits := []func(v reflect.Value){}
		switch f := orig.Field(i); f.Kind() {
		case reflect.Int, reflect.Uint16:
			edits = append(edits, func(v reflect.Value) {
				if v.CanInt() {
					v.SetInt(v.Int() + 1)
				} else {
					v.SetUint(v.Uint() ^ 1)
				}
			})
		case reflect.String:
			edits = append(edits,
				func(v reflect.Value) { v.SetString(v.String() + "x") },
				func(v reflect.Value) { v.SetString("") })
		case reflect.Bool:
			edits = append(edits, func(v reflect.Value) { v.SetBool(!v.Bool()) })
		case reflect.Array: // Hash
			edits = append(edits,
				func(v reflect.Value) { v.Index(0).SetUint(v.Index(0).Uint() ^ 1) },
				func(v reflect.Value) { v.Index(31).SetUint(v.Index(31).Uint() ^ 0x80) })
		case reflect.Slice: // []byte
			edits = append(edits,
				func(v reflect.Value) { b := v.Bytes(); b[0] ^= 1 },
				func(v reflect.Value) { b := v.Bytes(); b[len(b)-1] ^= 0x80 },
				func(v reflect.Value) { v.SetBytes(v.Bytes()[:v.Len()-1]) },
				func(v reflect.Value) { v.SetBytes(append(v.Bytes(), 0)) },
				func(v reflect.Value) { v.SetBytes(nil) })
		default:
			panic("mutations: field " + orig.Type().Field(i).Name + " of an unexpected kind")
		}
		for _, edit := range edits {
			m := *s
			m.SignerKey = append([]byte(nil), s.SignerKey...)
			m.Signature = append([]byte(nil), s.Signature...)
			edit(reflect.ValueOf(&m).Elem().Field(i))
			out = append(out, &m)
		}
	}
	return out
}

// Check refuses a valid sigstruct with any one field changed, and so does
// ParseSigStruct on its JSON.
func TestCheckRefusesEveryMutation(t *testing.T) {
	fuzzSetup(t)
	for _, s := range fuzz.signed {
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
		data, err := jsonIndent(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseSigStruct(data); err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("ParseSigStruct(valid) = %+v, %v", got, err)
		}
		muts := mutations(s)
		if len(muts) < 2*reflect.TypeFor[SigStruct]().NumField() {
			t.Fatalf("only %d mutations", len(muts))
		}
		for _, m := range muts {
			if err := m.Check(); !errors.Is(err, ErrBadSignature) {
				t.Errorf("Check(%+v) = %v, want refused", m, err)
			}
			data, err := jsonIndent(m)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseSigStruct(data); !errors.Is(err, ErrBadSignature) {
				t.Errorf("ParseSigStruct(%s) = %v, want refused", data, err)
			}
		}
	}
}

// FuzzSigStruct checks, for any content of build/sigstruct.json (written
// by the host, untrusted), that ParseSigStruct does not panic; that it
// refuses with a one-line *Error of kind ErrBadSignature; and that it
// accepts only what was signed: the fuzzer cannot sign, so an accepted
// sigstruct must be, field for field, one of those signed in fuzzSetup (a
// different spelling of the same JSON is fine; any changed value is not).
//
// Seeds: the valid sigstructs as `occlum build` writes them, each with every
// field changed (mutations), and a few malformed files.
func FuzzSigStruct(f *testing.F) {
	fuzzSetup(f)
	for _, s := range fuzz.signed {
		for _, v := range append([]*SigStruct{s}, mutations(s)...) {
			data, err := jsonIndent(v)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, s := range []string{"", "{", "null", "[]", `{"version": 1}`, `{"version": 1, "mrenclave": "zz"}`,
		`{"signature": "not base64", "signer_public_key": 3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzSetup(t)
		s, err := ParseSigStruct(data)
		if err != nil {
			var ie *Error
			if !errors.As(err, &ie) || ie.Kind != ErrBadSignature {
				t.Fatalf("error %v (%T) is not an *Error of kind ErrBadSignature", err, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, SigStructFile+": ") || strings.ContainsAny(msg, "\n\r") || ie.Hint == "" {
				t.Fatalf("error %q: does not name the file, is not one line, or has no hint", msg)
			}
			return
		}
		for _, v := range fuzz.signed {
			if reflect.DeepEqual(s, v) {
				return
			}
		}
		t.Fatalf("accepted a sigstruct that was never signed: %+v", s)
	})
}

// The seed keys are what their names say: sign-key-* are usable signing
// keys, bad-* are refused.
func TestSignKeySeeds(t *testing.T) {
	seeds := signKeySeeds(t)
	good := 0
	for name, data := range seeds {
		_, err := ParseSignKey(data, name)
		if bad := strings.HasPrefix(name, "bad-"); bad != (err != nil) {
			t.Errorf("%s: ParseSignKey = %v", name, err)
		}
		if err == nil {
			good++
		}
	}
	if good == 0 || good == len(seeds) {
		t.Errorf("%d of %d seed keys are good, want some good and some bad", good, len(seeds))
	}
}

func signKeySeeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	names, _ := filepath.Glob("testdata/keys/*")
	if len(names) == 0 {
		tb.Fatal("no seeds in testdata/keys/")
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

// FuzzParseSignKey checks, for any content of a --sign-key file, that
// ParseSignKey does not panic; that it refuses with a one-line *Error of
// kind ErrSignKey that names the file and says how to make a key; and that
// what it accepts is a usable RSA-3072 key: valid, and its signatures
// verify with its public key.
//
// Seeds: testdata/keys (RSA-3072 in PKCS#1 and PKCS#8, RSA-2048, ECDSA,
// Ed25519, encrypted keys, a public key, corrupt and truncated keys, not
// PEM at all).
func FuzzParseSignKey(f *testing.F) {
	for _, b := range signKeySeeds(f) {
		f.Add(b)
	}
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	digest := sha256.Sum256([]byte("occlum"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := ParseSignKey(data, "key.pem")
		if err != nil {
			var ie *Error
			if !errors.As(err, &ie) || ie.Kind != ErrSignKey {
				t.Fatalf("error %v (%T) is not an *Error of kind ErrSignKey", err, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "signing key key.pem: ") || len(msg) == len("signing key key.pem: ") ||
				strings.ContainsAny(msg, "\n\r") || ie.Hint == "" {
				t.Fatalf("error %q: does not name the file, says nothing, is not one line, or has no hint", msg)
			}
			return
		}
		if key.N.BitLen() != SignKeyBits {
			t.Fatalf("accepted an RSA-%d key", key.N.BitLen())
		}
		if err := key.Validate(); err != nil {
			t.Fatalf("accepted an invalid key: %v", err)
		}
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatalf("accepted a key that cannot sign: %v", err)
		}
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("accepted a key whose signatures do not verify: %v", err)
		}
	})
}
