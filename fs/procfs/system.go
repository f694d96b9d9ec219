package procfs

import (
	"fmt"
	"strings"
	"time"

	"github.com/occlumgo/occlum/core/kernel"
)

// The system-wide files of /proc.

// memory returns the total and used memory of all processes together:
// user_space_size and what the kernel's meter counts against it.
func (fs *FileSystem) memory() (total, used uint64) {
	total = noMemoryLimit
	k := fs.kernel()
	if k == nil {
		return total, 0
	}
	if k.Limits.UserSpaceSize != 0 {
		total = k.Limits.UserSpaceSize
	}
	return total, min(k.MemoryUsed(), total)
}

// meminfo is /proc/meminfo: MemTotal is resource_limits.user_space_size,
// MemFree and MemAvailable what the processes' linear memories leave of
// it; the rest is 0 (no page cache, no swap).
func (fs *FileSystem) meminfo() []byte {
	total, used := fs.memory()
	var b strings.Builder
	row := func(name string, bytes uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", bytes/1024) }
	row("MemTotal", total)
	row("MemFree", total-used)
	row("MemAvailable", total-used)
	for _, name := range []string{"Buffers", "Cached", "SwapCached", "Active", "Inactive",
		"SwapTotal", "SwapFree", "Dirty", "Writeback"} {
		row(name, 0)
	}
	row("AnonPages", used)
	for _, name := range []string{"Mapped", "Shmem"} {
		row(name, 0)
	}
	return []byte(b.String())
}

// ModelName is the processor /proc/cpuinfo shows: processes run as
// WebAssembly, whatever the host's CPU.
const ModelName = "Occlum virtual CPU (wasm32 SFI)"

// cpuinfo is /proc/cpuinfo: one entry per host processor, in Linux's
// layout.
func (fs *FileSystem) cpuinfo() []byte {
	var b strings.Builder
	for i := 0; i < fs.cpus; i++ {
		fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: Occlum\ncpu family\t: 0\nmodel\t\t: 0\n", i)
		fmt.Fprintf(&b, "model name\t: %s\nstepping\t: 0\ncpu MHz\t\t: 1000.000\ncache size\t: 0 KB\n", ModelName)
		fmt.Fprintf(&b, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n", fs.cpus, i, fs.cpus)
		fmt.Fprintf(&b, "apicid\t\t: %d\nfpu\t\t: yes\nwp\t\t: yes\nflags\t\t:\nbogomips\t: 2000.00\n\n", i)
	}
	return []byte(b.String())
}

// uptimeNow returns how long the kernel has run.
func (fs *FileSystem) uptimeNow() time.Duration {
	k := fs.kernel()
	if k == nil {
		return 0
	}
	return max(k.Clock.Now().Sub(k.Boot), 0)
}

// statFile is /proc/stat: CPU time (all of it idle: the LibOS does not
// account CPU time), the boot time and the process counts.
func (fs *FileSystem) statFile() []byte {
	idle := ticks(fs.uptimeNow())
	var b strings.Builder
	fmt.Fprintf(&b, "cpu  0 0 0 %d 0 0 0 0 0 0\n", idle*uint64(fs.cpus))
	for i := 0; i < fs.cpus; i++ {
		fmt.Fprintf(&b, "cpu%d 0 0 0 %d 0 0 0 0 0 0\n", i, idle)
	}
	var st kernel.TableStats
	btime := fs.bootTime() / int64(time.Second)
	if k := fs.kernel(); k != nil {
		st = k.Stats()
	}
	fmt.Fprintf(&b, "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n", btime, st.Created, st.Running)
	b.WriteString("softirq 0 0 0 0 0 0 0 0 0 0 0\n")
	return []byte(b.String())
}

// uptime is /proc/uptime: seconds since the kernel started, and the idle
// time of all processors together.
func (fs *FileSystem) uptime() []byte {
	up := fs.uptimeNow().Seconds()
	return []byte(fmt.Sprintf("%.2f %.2f\n", up, up*float64(fs.cpus)))
}

// loadavg is /proc/loadavg: no load averages (0.00), running/total
// processes, the last pid given out.
func (fs *FileSystem) loadavg() []byte {
	var st kernel.TableStats
	if k := fs.kernel(); k != nil {
		st = k.Stats()
	}
	return []byte(fmt.Sprintf("0.00 0.00 0.00 %d/%d %d\n", st.Running, st.Processes, st.LastPID))
}

// version is /proc/version, in Linux's layout with the LibOS's names
// (uname's).
func (fs *FileSystem) version() []byte {
	u := kernel.Uname()
	return []byte(fmt.Sprintf("%s version %s (root@%s) %s\n", u.Sysname, u.Release, u.Nodename, u.Version))
}

// filesystems is /proc/filesystems: the registered mount types, none of
// which needs a block device.
func (fs *FileSystem) filesystems() []byte {
	var b strings.Builder
	for _, t := range fs.mountTypes {
		fmt.Fprintf(&b, "nodev\t%s\n", t)
	}
	return []byte(b.String())
}

// mountEscaper escapes what would break a line of /proc/mounts, as Linux
// does (mangle()).
var mountEscaper = strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`)

// mounts is /proc/<pid>/mounts (and /proc/mounts): the namespace's mount
// table, parents before children.
func (fs *FileSystem) mounts() []byte {
	k := fs.kernel()
	if k == nil || k.VFS == nil {
		return nil
	}
	var b strings.Builder
	for _, m := range k.VFS.Mounts() {
		src := m.Source
		if src == "" {
			src = m.FS.Type()
		}
		opt := "rw"
		if m.ReadOnly {
			opt = "ro"
		}
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", mountEscaper.Replace(src), mountEscaper.Replace(m.Path), m.FS.Type(), opt)
	}
	return []byte(b.String())
}
