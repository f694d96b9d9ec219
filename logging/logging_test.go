package logging

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		env         string
		logs, quiet zapcore.Level
	}{
		{"error", zapcore.ErrorLevel, zapcore.WarnLevel},
		{"WARN", zapcore.WarnLevel, zapcore.InfoLevel},
		{"info", zapcore.InfoLevel, zapcore.DebugLevel},
		{"debug", zapcore.DebugLevel, TraceLevel},
		{"trace", TraceLevel, TraceLevel - 1},
	} {
		var buf bytes.Buffer
		l, err := FromLookup(func(string) string { return tc.env }, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Core().Enabled(tc.logs) || l.Core().Enabled(tc.quiet) {
			t.Errorf("%s: enabled(%v)=%v enabled(%v)=%v", tc.env, tc.logs, l.Core().Enabled(tc.logs), tc.quiet, l.Core().Enabled(tc.quiet))
		}
	}
}

func TestOffByDefault(t *testing.T) {
	for _, v := range []string{"", "off", "OFF"} {
		var buf bytes.Buffer
		l, err := FromLookup(func(string) string { return v }, &buf)
		if err != nil {
			t.Fatal(err)
		}
		l.Error("boom")
		if buf.Len() != 0 || l.Core().Enabled(zapcore.FatalLevel) {
			t.Errorf("%q: logged %q", v, buf.String())
		}
	}
}

func TestBadValue(t *testing.T) {
	_, err := FromLookup(func(string) string { return "verbose" }, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `OCCLUM_LOG_LEVEL="verbose" is not a log level (use one of off, error, warn, info, debug, trace)`) {
		t.Errorf("err = %v", err)
	}
}

func TestOutput(t *testing.T) {
	var buf bytes.Buffer
	l := New(TraceLevel, &buf)
	l.Log(TraceLevel, "fd_read(fd=3)")
	l.Info("hello")
	out := buf.String()
	if !strings.Contains(out, "TRACE") || !strings.Contains(out, "fd_read(fd=3)") || !strings.Contains(out, "INFO") {
		t.Errorf("output: %q", out)
	}
	if strings.Contains(out, "goroutine") || strings.Contains(out, ".go:") && strings.Count(out, "\n") > 2 {
		t.Errorf("stack trace on non-error entries: %q", out)
	}
	buf.Reset()
	l.Error("bad")
	if !strings.Contains(buf.String(), "logging_test.go") {
		t.Errorf("no stack trace on error: %q", buf.String())
	}
}
