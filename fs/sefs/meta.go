package sefs

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The metadata database (bbolt: one file, copy-on-write B+tree, atomic
// durable commits) holds, in bucket "sefs":
//
//	"super"             the superblock
//	"i" + ino (8 bytes) an inode's record, sealed
//	"n" + ino + level (1) + index (8)   a node of a file's Merkle tree
//
// bbolt is what makes a commit atomic: a crash leaves the previous commit
// or this one, never a mix. It is not trusted: everything read back is
// checked against the superblock's root.

var bucketName = []byte("sefs")

const (
	superMagic   = "SEFS\x00\x00\x01\x00"
	superSize    = 8 + 1 + 16 + 8 + 8 + 32 + 32 + 32
	lockWait     = 200 * time.Millisecond
	ownerFile    = "sefs.owner"
	recordFormat = 1
)

// superblock is the root of a layer.
type superblock struct {
	mode      Mode
	layerID   [16]byte
	version   uint64   // commits so far: a later attestation may pin it
	nextIno   uint64   // the next inode number to give
	inodeRoot [32]byte // the Merkle root over every inode record
	boundTo   [32]byte // the image root a container layer was made over
	mac       [32]byte // HMAC of the rest (encrypted mode)
}

func (s *superblock) body() []byte {
	b := make([]byte, 0, superSize)
	b = append(b, superMagic...)
	b = append(b, byte(s.mode))
	b = append(b, s.layerID[:]...)
	b = binary.BigEndian.AppendUint64(b, s.version)
	b = binary.BigEndian.AppendUint64(b, s.nextIno)
	b = append(b, s.inodeRoot[:]...)
	return append(b, s.boundTo[:]...)
}

func (s *superblock) encode(k *keys) []byte {
	b := s.body()
	if k.mode == Encrypted {
		m := hmac.New(sha256.New, k.mac)
		m.Write(b)
		copy(s.mac[:], m.Sum(nil))
	}
	return append(b, s.mac[:]...)
}

func decodeSuper(b []byte) (*superblock, error) {
	if len(b) != superSize || string(b[:8]) != superMagic {
		return nil, fmt.Errorf("the superblock is malformed (%d bytes)", len(b))
	}
	s := &superblock{mode: Mode(b[8])}
	if s.mode != Integrity && s.mode != Encrypted {
		return nil, fmt.Errorf("the superblock names an unknown mode %d", b[8])
	}
	p := 9
	copy(s.layerID[:], b[p:p+16])
	p += 16
	s.version = binary.BigEndian.Uint64(b[p:])
	s.nextIno = binary.BigEndian.Uint64(b[p+8:])
	p += 16
	copy(s.inodeRoot[:], b[p:p+32])
	copy(s.boundTo[:], b[p+32:p+64])
	copy(s.mac[:], b[p+64:p+96])
	return s, nil
}

// checkMAC verifies the superblock's MAC (encrypted mode).
func (s *superblock) checkMAC(k *keys) bool {
	m := hmac.New(sha256.New, k.mac)
	m.Write(s.body())
	return hmac.Equal(m.Sum(nil), s.mac[:])
}

// root is what identifies a layer's contents: for the image, what the
// signed measurement pins. It covers every field of the superblock but
// the MAC (which only encrypted layers have: see checkBlank), so no byte
// of a pinned superblock can change unseen.
func (s *superblock) root() [32]byte {
	h := sha256.New()
	h.Write([]byte("sefs root\x01"))
	h.Write(s.body())
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// checkBlank reports whether the MAC field of an integrity-only
// superblock is empty, as Pack leaves it.
func (s *superblock) checkBlank() bool { return s.mac == [32]byte{} }

// store is the metadata database.
type store struct {
	db *bolt.DB
}

// ErrLocked is a layer that another LibOS has open.
var ErrLocked = errors.New("the layer is in use")

func openStore(path string, readOnly, noSync bool) (*store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait, ReadOnly: readOnly,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err == nil {
		db.NoSync = noSync
	}
	if errors.Is(err, bolt.ErrTimeout) {
		owner, _ := os.ReadFile(filepath.Join(filepath.Dir(path), ownerFile))
		who := strings.TrimSpace(string(owner))
		if who == "" {
			who = "another process"
		}
		return nil, fmt.Errorf("%w by %s", ErrLocked, who)
	}
	if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrVersionMismatch) || errors.Is(err, bolt.ErrChecksum) {
		return nil, fmt.Errorf("the metadata database %s is damaged or not a sefs database (%w): it was left as it is", filepath.Base(path), err)
	}
	if err != nil {
		return nil, err
	}
	if !readOnly {
		// Say who holds the layer (bbolt's lock is the real one).
		os.WriteFile(filepath.Join(filepath.Dir(path), ownerFile),
			[]byte("pid "+strconv.Itoa(os.Getpid())+" since "+time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

func inodeKey(ino uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{'i'}, ino)
}

func nodeKey(ino uint64, level uint8, index uint64) []byte {
	b := binary.BigEndian.AppendUint64([]byte{'n'}, ino)
	b = append(b, level)
	return binary.BigEndian.AppendUint64(b, index)
}

// load reads the superblock and every inode record.
func (s *store) load() (*superblock, map[uint64][]byte, error) {
	var sb *superblock
	recs := map[uint64][]byte{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName)
		if b == nil {
			return ErrNoLayer
		}
		var err error
		if sb, err = decodeSuper(b.Get([]byte("super"))); err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte{'i'}); k != nil && k[0] == 'i'; k, v = c.Next() {
			if len(k) != 9 {
				return errors.New("a malformed inode key")
			}
			recs[binary.BigEndian.Uint64(k[1:])] = bytes.Clone(v)
		}
		return nil
	})
	return sb, recs, err
}

// exists reports whether the database holds a layer.
func (s *store) exists() bool {
	found := false
	s.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketName) != nil
		return nil
	})
	return found
}

// node reads a Merkle tree node (nil if absent).
func (s *store) node(ino uint64, level uint8, index uint64) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketName); b != nil {
			if v := b.Get(nodeKey(ino, level, index)); v != nil {
				out = bytes.Clone(v)
			}
		}
		return nil
	})
	return out, err
}

// commit is one atomic change of the database.
type commit struct {
	super       []byte
	records     map[uint64][]byte // nil value: removed
	nodes       map[string][]byte // key: nodeKey; nil value: removed
	removeNodes []uint64          // inodes whose every node goes
}

func (s *store) apply(c *commit) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketName)
		if err != nil {
			return err
		}
		for _, ino := range c.removeNodes {
			prefix := binary.BigEndian.AppendUint64([]byte{'n'}, ino)
			cur := b.Cursor()
			var keys [][]byte
			for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		// Sorted puts keep bbolt's pages dense.
		nk := make([]string, 0, len(c.nodes))
		for k := range c.nodes {
			nk = append(nk, k)
		}
		sort.Strings(nk)
		for _, k := range nk {
			if v := c.nodes[k]; v == nil {
				err = b.Delete([]byte(k))
			} else {
				err = b.Put([]byte(k), v)
			}
			if err != nil {
				return err
			}
		}
		inos := make([]uint64, 0, len(c.records))
		for ino := range c.records {
			inos = append(inos, ino)
		}
		sort.Slice(inos, func(i, j int) bool { return inos[i] < inos[j] })
		for _, ino := range inos {
			if v := c.records[ino]; v == nil {
				err = b.Delete(inodeKey(ino))
			} else {
				err = b.Put(inodeKey(ino), v)
			}
			if err != nil {
				return err
			}
		}
		return b.Put([]byte("super"), c.super)
	})
}
