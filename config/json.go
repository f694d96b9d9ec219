package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// value is one JSON value, decoded token by token so that object keys keep
// their order and their exact spelling, duplicates can be refused, and
// numbers keep their literal text.
type value struct {
	kind    kind
	members []member // kindObject, in file order
	elems   []*value // kindArray
	str     string   // kindString; the literal for kindNumber
	boolean bool     // kindBool
}

type member struct {
	key string
	val *value
}

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// maxDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxDepth = 32

// parseJSON decodes exactly one JSON value from data. Errors carry the line
// and column of the problem.
func parseJSON(data []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = fmt.Errorf("unexpected data after the top-level object")
			return nil, posError(data, dec.InputOffset(), err)
		}
		return v, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, posError(data, se.Offset, errors.New(se.Error()))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, errors.New("file is empty")
		}
		return nil, posError(data, int64(len(data)), errors.New("unexpected end of file"))
	}
	return nil, posError(data, dec.InputOffset(), err)
}

func readValue(dec *json.Decoder, depth int) (*value, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested more than %d levels deep", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &value{kind: kindNull}, nil
	case bool:
		return &value{kind: kindBool, boolean: t}, nil
	case json.Number:
		return &value{kind: kindNumber, str: t.String()}, nil
	case string:
		return &value{kind: kindString, str: t}, nil
	case json.Delim:
		switch t {
		case '{':
			v := &value{kind: kindObject}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key := kt.(string) // the decoder guarantees a string key here
				if seen[key] {
					return nil, fmt.Errorf("duplicate key %q", key)
				}
				seen[key] = true
				val, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.members = append(v.members, member{key, val})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return v, nil
		case '[':
			v := &value{kind: kindArray}
			for dec.More() {
				val, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, val)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return v, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// posError prefixes err with the line and column of byte offset off.
func posError(data []byte, off int64, err error) error {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
