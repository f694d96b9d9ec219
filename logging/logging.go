// Package logging sets up the LibOS's zap logger from OCCLUM_LOG_LEVEL.
//
// The levels are those of Occlum: off (the default), error, warn, info,
// debug and trace. trace is one step below zap's debug level (TraceLevel)
// and is used for the per-syscall log: every call with its arguments and its
// result. Logs go to stderr through zap's console encoder; stack traces are
// attached only to error-level entries.
package logging

import (
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// EnvVar is the environment variable that selects the log level.
const EnvVar = "OCCLUM_LOG_LEVEL"

// TraceLevel is below zap's DebugLevel; the syscall tracer logs at it.
// Check it with logger.Core().Enabled(logging.TraceLevel) before building a
// trace entry, so that tracing costs nothing when it is off.
const TraceLevel = zapcore.DebugLevel - 1

// offLevel is above every level zap writes.
const offLevel = zapcore.FatalLevel + 1

// levelNames lists the accepted OCCLUM_LOG_LEVEL values, most quiet first.
var levelNames = []string{"off", "error", "warn", "info", "debug", "trace"}

// ParseLevel parses a level name (case-insensitive; "" means off). The
// returned level is the lowest one that is logged; for "off" it is above
// every level.
func ParseLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "off":
		return offLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "debug":
		return zapcore.DebugLevel, nil
	case "trace":
		return TraceLevel, nil
	}
	return 0, fmt.Errorf("%s=%q is not a log level (use one of %s)", EnvVar, s, strings.Join(levelNames, ", "))
}

// New returns a logger that writes entries at level and above to w. The
// logger of level "off" is zap.NewNop().
func New(level zapcore.Level, w io.Writer) *zap.Logger {
	if level > zapcore.FatalLevel {
		return zap.NewNop()
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeLevel = encodeLevel
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), level)
	return zap.New(core, zap.AddStacktrace(zapcore.ErrorLevel), zap.ErrorOutput(zapcore.Lock(zapcore.AddSync(w)))).Named("occlum")
}

// FromEnv returns the logger selected by OCCLUM_LOG_LEVEL in the process
// environment, writing to stderr. A bad value is an error naming the
// variable.
func FromEnv() (*zap.Logger, error) {
	return FromLookup(os.Getenv, os.Stderr)
}

// FromLookup is FromEnv with the environment and the output given.
func FromLookup(getenv func(string) string, w io.Writer) (*zap.Logger, error) {
	level, err := ParseLevel(getenv(EnvVar))
	if err != nil {
		return nil, err
	}
	return New(level, w), nil
}

func encodeLevel(l zapcore.Level, enc zapcore.PrimitiveArrayEncoder) {
	if l == TraceLevel {
		enc.AppendString("TRACE")
		return
	}
	zapcore.CapitalLevelEncoder(l, enc)
}
