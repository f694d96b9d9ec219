package config

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Size units. All of them are binary (powers of 1024), as in Occlum: "1KB"
// is 1024 bytes, "1MB" is 1048576 bytes.
const (
	KB Size = 1 << 10
	MB Size = 1 << 20
	GB Size = 1 << 30
	TB Size = 1 << 40
)

// sizeUnits maps every accepted unit suffix (upper-cased) to its factor.
// Matching is case-insensitive: "256MB", "256mb", "256M" and "256MiB" are
// the same size.
var sizeUnits = map[string]Size{
	"": 1, "B": 1,
	"K": KB, "KB": KB, "KIB": KB,
	"M": MB, "MB": MB, "MIB": MB,
	"G": GB, "GB": GB, "GIB": GB,
	"T": TB, "TB": TB, "TIB": TB,
}

// ParseSize parses a size as written in Occlum.json: a non-negative integer
// followed by an optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB
// (case-insensitive, binary multiples, optional blanks between number and
// unit). Fractions ("1.5GB"), signs, other units ("12XB") and sizes that do
// not fit in 64 bits are errors.
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	num, unit := t[:i], strings.ToUpper(strings.TrimSpace(t[i:]))
	if num == "" {
		if strings.HasPrefix(t, "-") {
			return 0, fmt.Errorf("size %q is negative", s)
		}
		return 0, fmt.Errorf("size %q does not start with a number (write e.g. \"256MB\")", s)
	}
	if strings.HasPrefix(unit, ".") {
		return 0, fmt.Errorf("size %q is not a whole number (write e.g. \"1536MB\" for 1.5GB)", s)
	}
	factor, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("size %q has unknown unit %q (use B, KB, MB, GB or TB)", s, t[i:])
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q does not fit in 64 bits", s)
	}
	hi, lo := bits.Mul64(n, uint64(factor))
	if hi != 0 {
		return 0, fmt.Errorf("size %q does not fit in 64 bits", s)
	}
	return Size(lo), nil
}

// String returns the size in the largest unit that divides it exactly, in
// the form ParseSize reads back: "256MB", "4KB", "1000B".
func (s Size) String() string {
	for _, u := range []struct {
		name   string
		factor Size
	}{{"TB", TB}, {"GB", GB}, {"MB", MB}, {"KB", KB}} {
		if s != 0 && s%u.factor == 0 {
			return strconv.FormatUint(uint64(s/u.factor), 10) + u.name
		}
	}
	return strconv.FormatUint(uint64(s), 10) + "B"
}

// sizeFromNumber accepts a JSON number as a plain byte count.
func sizeFromNumber(lit string) (Size, error) {
	switch {
	case strings.HasPrefix(lit, "-"):
		return 0, fmt.Errorf("size %s is negative", lit)
	case strings.ContainsAny(lit, ".eE"):
		return 0, fmt.Errorf("size %s is not a whole number of bytes", lit)
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %s does not fit in 64 bits", lit)
	}
	return Size(n), nil
}
