package instance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/occlumgo/occlum/config"
)

// PluginDir is where the build keeps the plugin programs of its mounts
// (libos.PluginDir): what `occlum run` starts, after checking each
// against the SHA-256 the build measured into the configuration.
const PluginDir = "build/plugins"

// maxPluginSize bounds a plugin program.
const maxPluginSize = 512 << 20

// measurePlugins copies the plugin program of every mount that names one
// into build/plugins and records its SHA-256 in the configuration (which
// the signature covers), so that a program swapped afterwards is refused.
func measurePlugins(dir string, cfg *config.Config) error {
	seen := map[string]string{}
	var each func(ms []config.Mount, at string) error
	each = func(ms []config.Mount, at string) error {
		for i := range ms {
			m := &ms[i]
			field := fmt.Sprintf("%s[%d]", at, i)
			if err := each(m.Options.Layers, field+".options.layers"); err != nil {
				return err
			}
			if m.Options.Plugin == "" {
				continue
			}
			src, err := findPlugin(dir, m.Options.Plugin)
			if err != nil {
				return fmt.Errorf("Occlum.json: %s.options.plugin: %w", field, err)
			}
			base := filepath.Base(m.Options.Plugin)
			if prev, ok := seen[base]; ok && prev != src {
				return fmt.Errorf("Occlum.json: %s.options.plugin: two different plugin programs are named %s (%s and %s): rename one", field, base, prev, src)
			}
			seen[base] = src
			data, err := readPlugin(src)
			if err != nil {
				return fmt.Errorf("Occlum.json: %s.options.plugin: %w", field, err)
			}
			sum := sha256.Sum256(data)
			if err := os.MkdirAll(filepath.Join(dir, PluginDir), 0o755); err != nil {
				return err
			}
			if err := writeFileAtomic(filepath.Join(dir, PluginDir, base), data, 0o755); err != nil {
				return err
			}
			m.Options.PluginSHA256 = hex.EncodeToString(sum[:])
		}
		return nil
	}
	return each(cfg.Mounts, "mount")
}

// findPlugin locates a plugin program: an absolute path; a path relative
// to the instance directory; or a bare name, beside the running occlum
// program, then on PATH.
func findPlugin(dir, name string) (string, error) {
	switch {
	case filepath.IsAbs(name):
		return name, nil
	case strings.Contains(name, "/"):
		return filepath.Join(dir, name), nil
	}
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), name); isFile(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("plugin program %q is neither beside occlum nor on PATH (give its path)", name)
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func readPlugin(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plugin program: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return nil, fmt.Errorf("plugin program %s is not an executable file", path)
	}
	if st.Size() > maxPluginSize {
		return nil, fmt.Errorf("plugin program %s is larger than %d MiB", path, maxPluginSize>>20)
	}
	return io.ReadAll(f)
}

// adoptPluginSums copies the measured plugin SHA-256s of built into the
// mounts of current that name the same plugin and leave it out (the
// build fills it in); a difference anywhere else still shows.
func adoptPluginSums(current, built []config.Mount) {
	for i := range current {
		if i >= len(built) {
			return
		}
		c, b := &current[i].Options, built[i].Options
		adoptPluginSums(c.Layers, b.Layers)
		if c.Plugin != "" && c.Plugin == b.Plugin && c.PluginSHA256 == "" {
			c.PluginSHA256 = b.PluginSHA256
		}
	}
}
