package proc

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxMessage bounds one message between a parent and a worker: the
// encoded arguments of a chunk, or its encoded results. A bigger message
// is an error for its task, not a crash of the pool.
const DefaultMaxMessage = 64 << 20

// errTooBig is a message over the size limit: its tasks fail, the worker
// lives on.
var errTooBig = errors.New("message too big")

// request asks a worker to run Name on each of Args (a chunk of tasks).
type request struct {
	ID   int
	Name string
	Args [][]byte // each gob-encoded
}

// response carries, for each task of a request, its gob-encoded result or
// its error.
type response struct {
	ID      int
	Results [][]byte
	Errs    []string
}

// writeFrame writes v, gob-encoded, behind its length in 4 bytes.
func writeFrame(w io.Writer, v any, max int) error {
	var buf bytes.Buffer
	buf.Write(make([]byte, 4))
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	n := buf.Len() - 4
	if n > max {
		return fmt.Errorf("%w: %s, over the limit of %s", errTooBig, size(n), size(max))
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b, uint32(n))
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame written by writeFrame into v.
func readFrame(r io.Reader, v any, max int) error {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint32(head[:]))
	if n > max {
		return fmt.Errorf("proc: a message of %s is over the limit of %s", size(n), size(max))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("proc: message cut short: %w", err)
	}
	return gob.NewDecoder(bytes.NewReader(body)).Decode(v)
}

// encode gob-encodes one value.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode gob-decodes one value encoded by encode.
func decode(b []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(b)).Decode(v)
}

// size formats a byte count for messages.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
