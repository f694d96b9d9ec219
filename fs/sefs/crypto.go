package sefs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
)

// Block is the unit of file data: every block is sealed (or hashed) and
// verified on its own, so a random read or write costs one block's crypto
// plus the Merkle path above it.
const Block = 4096

// KeySize is the size of a layer key (AES-256).
const KeySize = 32

// Mode says how a layer protects its contents.
type Mode uint8

const (
	// Integrity: contents and names in clear, every block and record
	// hashed into the root, which the signed measurement pins. For the
	// read-only image layer.
	Integrity Mode = 1
	// Encrypted: contents, names and the directory tree sealed with
	// AES-256-GCM under keys derived from the layer key (the user's image
	// key, or the platform's sealing key for the container layer).
	Encrypted Mode = 2
)

func (m Mode) String() string {
	switch m {
	case Integrity:
		return "integrity-only"
	case Encrypted:
		return "encrypted"
	}
	return fmt.Sprintf("mode %d", uint8(m))
}

// keys are a layer's keys, derived from its key with HKDF-SHA256 and the
// layer's random identity as salt, one per use.
type keys struct {
	mode  Mode
	data  []byte // per-file data keys are derived from it
	meta  cipher.AEAD
	mac   []byte // the superblock's MAC
	names []byte // object names
	siv   []byte // deterministic nonces (packed images): an HMAC key
}

func deriveKeys(mode Mode, key []byte, layerID []byte) (*keys, error) {
	k := &keys{mode: mode}
	if mode == Integrity {
		return k, nil
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("the key has %d bytes, want %d", len(key), KeySize)
	}
	derive := func(label string) []byte {
		out, err := hkdf.Key(sha256.New, key, layerID, "sefs "+label, KeySize)
		if err != nil {
			panic(err) // only for lengths out of range
		}
		return out
	}
	k.data, k.mac, k.names = derive("data"), derive("superblock mac"), derive("object names")
	k.siv = derive("deterministic nonces")
	k.meta = newGCM(derive("metadata"))
	return k, nil
}

func newGCM(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return g
}

// fileCipher seals the blocks of one file (one object generation). In
// integrity mode it is nil: blocks are stored as they are, and hashed.
func (k *keys) fileCipher(ino, gen uint64) cipher.AEAD {
	if k.mode == Integrity {
		return nil
	}
	var info [24]byte
	copy(info[:8], "sefsfile")
	binary.BigEndian.PutUint64(info[8:], ino)
	binary.BigEndian.PutUint64(info[16:], gen)
	key, err := hkdf.Key(sha256.New, k.data, nil, string(info[:]), KeySize)
	if err != nil {
		panic(err)
	}
	return newGCM(key)
}

// objectName names the host objects of a file generation: opaque in
// encrypted mode (an HMAC), readable in integrity mode.
func (k *keys) objectName(ino, gen uint64) string {
	if k.mode == Integrity {
		return fmt.Sprintf("%016x-%x", ino, gen)
	}
	m := hmac.New(sha256.New, k.names)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ino)
	binary.BigEndian.PutUint64(b[8:], gen)
	m.Write(b[:])
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// An entry says where one block's current version is and how to check it:
// the slot (which of the file's two objects holds it: a version is never
// written over the committed one, see sefs.go) and, in encrypted mode, the
// GCM nonce and tag, in integrity mode the SHA-256 of the block.
type entry [entrySize]byte

const (
	entrySize = 1 + 32 // slot, then nonce+tag (12+16) or hash (32)
	// slotNone marks a block never written: it reads as zeros.
	slotNone = 0
)

func (e *entry) slot() int      { return int(e[0]) - 1 } // -1: absent
func (e *entry) present() bool  { return e[0] != slotNone }
func (e *entry) setSlot(s int)  { e[0] = byte(s + 1) }
func (e *entry) nonce() []byte  { return e[1:13] }
func (e *entry) tag() []byte    { return e[13:29] }
func (e *entry) digest() []byte { return e[1:33] }

// blockAAD binds a sealed block to its place in its file.
func blockAAD(idx uint64) []byte {
	var b [12]byte
	copy(b[:4], "blk\x00")
	binary.BigEndian.PutUint64(b[4:], idx)
	return b[:]
}

// sealBlock seals pt (Block bytes) for block idx of inode ino into ct
// (Block bytes) and fills e's nonce and tag (or hash); scratch has
// Block+16 bytes. With siv (an HMAC under keys.siv: packed images, which
// must be reproducible) the nonce is derived from the block's place and
// content, as in SIV: the same block at the same place gives the same
// ciphertext, a different one a different nonce, and without the key the
// nonce tells nothing of the plaintext (an unkeyed hash would let the host
// confirm a guess of a block). Without siv the nonce is random.
func sealBlock(c cipher.AEAD, ino, idx uint64, pt, ct []byte, e *entry, siv hash.Hash, scratch []byte) {
	if c == nil {
		copy(ct, pt)
		h := sha256.Sum256(pt)
		copy(e.digest(), h[:])
		return
	}
	nonce := e.nonce()
	if siv != nil {
		siv.Reset()
		var place [16]byte
		binary.BigEndian.PutUint64(place[:8], ino)
		binary.BigEndian.PutUint64(place[8:], idx)
		siv.Write([]byte("sefs block\x00"))
		siv.Write(place[:])
		siv.Write(pt)
		copy(nonce, siv.Sum(scratch[:0]))
	} else if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := c.Seal(scratch[:0], nonce, pt, blockAAD(idx))
	copy(ct, out[:Block])
	copy(e.tag(), out[Block:])
}

// errCorrupt is an integrity failure: what the host returned is not what
// was committed.
var errCorrupt = errors.New("integrity check failed")

// openBlock checks and opens ct (Block bytes) of block idx into pt.
func openBlock(c cipher.AEAD, idx uint64, ct, pt []byte, e *entry, scratch []byte) error {
	if c == nil {
		h := sha256.Sum256(ct)
		if !hmac.Equal(h[:], e.digest()) {
			return errCorrupt
		}
		copy(pt, ct)
		return nil
	}
	buf := append(append(scratch[:0], ct...), e.tag()...)
	if _, err := c.Open(pt[:0], e.nonce(), buf, blockAAD(idx)); err != nil {
		return errCorrupt
	}
	return nil
}

// sealRecord seals a metadata record (an inode) for the store: AAD binds
// it to its inode number and layer. In integrity mode it is stored as it
// is. deterministic as for sealBlock.
func (k *keys) sealRecord(layerID []byte, ino uint64, rec []byte, deterministic bool) []byte {
	if k.mode == Integrity {
		return rec
	}
	nonce := make([]byte, 12)
	if deterministic { // keyed, as sealBlock's nonces
		h := hmac.New(sha256.New, k.siv)
		h.Write(recordAAD(layerID, ino))
		h.Write(rec)
		copy(nonce, h.Sum(nil))
	} else if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return k.meta.Seal(nonce, nonce, rec, recordAAD(layerID, ino))
}

func (k *keys) openRecord(layerID []byte, ino uint64, sealed []byte) ([]byte, error) {
	if k.mode == Integrity {
		return sealed, nil
	}
	if len(sealed) < 12+16 {
		return nil, errCorrupt
	}
	rec, err := k.meta.Open(nil, sealed[:12], sealed[12:], recordAAD(layerID, ino))
	if err != nil {
		return nil, errCorrupt
	}
	return rec, nil
}

func recordAAD(layerID []byte, ino uint64) []byte {
	b := append([]byte("sefs inode\x00"), layerID...)
	return binary.BigEndian.AppendUint64(b, ino)
}
