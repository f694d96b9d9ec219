package bench

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkHTTP runs http.sh: lighttpd (Debian's sources) and src/httpd.c,
// each natively and in the LibOS, driven by ab -k -c 32 for a 10 KiB page;
// the script prints the rows (requests/s, ours against native) and this
// reports them as metrics. Skipped when ab is missing (make bench installs
// apache2-utils). WORK, REQUESTS and ROUNDS pass through to the script.
func BenchmarkHTTP(b *testing.B) {
	if _, err := os.Stat(binDir + "/occlum-gcc"); err != nil {
		b.Fatalf("%s/occlum-gcc missing: run `make build` (make bench does)", binDir)
	}
	row := regexp.MustCompile(`^BENCH \| http: (\S+).*\|\s+([0-9.]+) req/s\s+\| native\s+([0-9.]+) req/s\s+\|\s+([0-9.]+)x \|`)
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		cmd := exec.Command("./http.sh")
		cmd.Stdout = io.MultiWriter(os.Stdout, &out)
		cmd.Stderr = os.Stderr
		err := cmd.Run()
		if strings.Contains(out.String(), "| skipped:") {
			b.Skip("http.sh: " + strings.TrimSpace(out.String()))
		}
		if err != nil {
			b.Fatalf("http.sh: %v", err)
		}
		rows := 0
		for _, line := range strings.Split(out.String(), "\n") {
			m := row.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			key := m[1] + "-" // lighttpd-, httpd.c-
			for j, unit := range []string{"req/s", "native-req/s", "x-native"} {
				v, err := strconv.ParseFloat(m[2+j], 64)
				if err != nil {
					b.Fatalf("bad figure %q in %q", m[2+j], line)
				}
				b.ReportMetric(v, key+unit)
			}
			rows++
		}
		if rows != 2 {
			b.Fatalf("http.sh printed %d rows, want 2", rows)
		}
	}
}
