package sefs_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
)

// The crash test: a child process runs a write storm on a layer (several
// writers, random offsets and sizes, truncations, fsyncs, periodic
// commits) and logs each fsync that returned; it is killed with SIGKILL
// at a random moment; the layer must mount, and every file must hold the
// state of its last logged fsync or a later one of its own history.

const (
	crashWriters = 4
	crashOps     = 300
	crashSpan    = 256 << 10
)

// crashOp is op v (from 1) of file name: a write, or a truncation.
func crashOp(name string, v int) (trunc bool, off int64, data []byte) {
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewSource(int64(h.Sum64()) + int64(v)*7919))
	if rng.Intn(10) == 0 {
		return true, rng.Int63n(crashSpan), nil
	}
	off = rng.Int63n(crashSpan)
	data = make([]byte, 1+rng.Intn(24<<10))
	rng.Read(data)
	return false, off, data
}

func applyOp(state []byte, trunc bool, off int64, data []byte) []byte {
	if trunc {
		if off < int64(len(state)) {
			return state[:off]
		}
		return append(state, make([]byte, off-int64(len(state)))...)
	}
	if end := off + int64(len(data)); end > int64(len(state)) {
		state = append(state, make([]byte, end-int64(len(state)))...)
	}
	copy(state[off:], data)
	return state
}

func TestCrashChild(t *testing.T) {
	dir := os.Getenv("SEFS_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestCrashKill")
	}
	key, _ := hex.DecodeString(os.Getenv("SEFS_CRASH_KEY"))
	iter := os.Getenv("SEFS_CRASH_ITER")
	opts := sefs.Options{Mode: sefs.Encrypted, Key: key, CommitInterval: 30 * time.Millisecond, CacheSize: 32 * sefs.Block}
	st, err := sefs.NewDirStorage(filepath.Join(dir, "layer"), true)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := sefs.Mount(st, opts)
	if err != nil {
		if fs, err = sefs.Create(st, opts); err != nil {
			t.Fatal(err)
		}
	}
	logf, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < crashWriters; w++ {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			in, e := fs.Root().Create(name, 0o644)
			if e != 0 {
				panic(e)
			}
			f, _ := in.Open(vfs.O_RDWR)
			for v := 1; v <= crashOps; v++ {
				trunc, off, data := crashOp(name, v)
				if trunc {
					e = f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: off})
				} else {
					_, e = f.WriteAt(data, off)
				}
				if e != 0 {
					panic(e)
				}
				if v%7 == 0 {
					if e := f.Sync(false); e != 0 {
						panic(e)
					}
					fmt.Fprintf(logf, "%s %d\n", name, v)
				}
			}
		}(fmt.Sprintf("it%s-w%d", iter, w))
	}
	wg.Wait()
	fs.Close()
}

func TestCrashKill(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 8
	}
	dir := t.TempDir()
	key := testKey(t)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	final := map[string][]byte{} // files whose writer is dead: fixed now
	for it := 0; it < runs; it++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "SEFS_CRASH_DIR="+dir, "SEFS_CRASH_KEY="+hex.EncodeToString(key),
			"SEFS_CRASH_ITER="+strconv.Itoa(it))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wait := time.Duration(20+rng.Intn(400)) * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: the writer failed: %v\n%s", it, err, out.String())
			}
		case <-time.After(wait):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
		}
		// Mount as the next LibOS would, and check every file.
		if _, err := os.Stat(filepath.Join(dir, "layer")); os.IsNotExist(err) {
			continue // killed before the writer made its layer (a slow start)
		}
		st, err := sefs.NewDirStorage(filepath.Join(dir, "layer"), false)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := sefs.Mount(st, sefs.Options{Mode: sefs.Encrypted, Key: key, CommitInterval: -1})
		if err != nil {
			if strings.Contains(err.Error(), "no superblock") {
				continue // killed before the layer's first commit
			}
			t.Fatalf("run %d (killed after %v): the layer does not mount: %v\n%s", it, wait, err, out.String())
		}
		logged := readCrashLog(t, filepath.Join(dir, "log"))
		for w := 0; w < crashWriters; w++ {
			name := fmt.Sprintf("it%d-w%d", it, w)
			got, e := readFile(t, fs.Root(), name)
			if e == errno.ENOENT && logged[name] == 0 {
				continue
			}
			if e != 0 {
				t.Fatalf("run %d: %s: %v", it, name, e)
			}
			if !matchesHistory(name, got, logged[name]) {
				t.Fatalf("run %d (killed after %v): %s (%d bytes) is no state of its history at or after its fsync %d",
					it, wait, name, len(got), logged[name])
			}
			final[name] = got
		}
		for name, want := range final {
			if got, e := readFile(t, fs.Root(), name); e != 0 || !bytes.Equal(got, want) {
				t.Fatalf("run %d: %s, written by an earlier run, changed: %v", it, name, e)
			}
		}
		if err := fs.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func readCrashLog(t *testing.T, path string) map[string]int {
	out := map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var name string
		var v int
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &name, &v); err == nil && v > out[name] {
			out[name] = v
		}
	}
	return out
}

// matchesHistory reports whether got is the state of file name after some
// op v >= from.
func matchesHistory(name string, got []byte, from int) bool {
	var state []byte
	for v := 0; v <= crashOps; v++ {
		if v > 0 {
			trunc, off, data := crashOp(name, v)
			state = applyOp(state, trunc, off, data)
		}
		if v >= from && bytes.Equal(state, got) {
			return true
		}
	}
	return false
}
