package instance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/occlumgo/occlum/fs/sefs"
)

// An image key encrypts the image layer (`occlum build --image-key`);
// `occlum run --image-key` needs the same one. Its file holds the key's
// sefs.KeySize bytes in hex, in pairs separated by '-' as the original
// Occlum writes its keys ("3b-07-..."); plain hex is accepted too.

// maxKeyFile bounds what ReadImageKey reads.
const maxKeyFile = 4096

// GenImageKey writes a new random image key to path, which must not exist,
// readable by its owner only.
func GenImageKey(path string) error {
	key := make([]byte, sefs.KeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	parts := make([]string, len(key))
	for i, b := range key {
		parts[i] = hex.EncodeToString([]byte{b})
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("%s exists: an image key is never overwritten (the image it encrypts could no longer be read); choose another name", path)
		}
		return err
	}
	if _, err := io.WriteString(f, strings.Join(parts, "-")+"\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadImageKey reads an image key file.
func ReadImageKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("image key: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("image key %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("image key %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("image key %s is %d bytes or more: not a key made by `occlum gen-image-key`", path, maxKeyFile)
	}
	text := strings.ReplaceAll(strings.TrimSpace(string(data)), "-", "")
	key, err := hex.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("image key %s is not a key made by `occlum gen-image-key` (hex digits, in pairs separated by '-')", path)
	}
	if len(key) != sefs.KeySize {
		return nil, fmt.Errorf("image key %s holds %d bytes; an image key is %d bytes (%d bits): make one with `occlum gen-image-key FILE`", path, len(key), sefs.KeySize, sefs.KeySize*8)
	}
	return key, nil
}
