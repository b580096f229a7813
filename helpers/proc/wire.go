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

// A frame is a request or a response on the wire: its length in 4 bytes,
// then the ID, the function name (empty in responses), and the items, each
// a flag byte (1 for a value, 0 for an error text) and a length-prefixed
// body. Items are gob-encoded values the frame carries as they are, so a
// big argument is copied once into the frame and never re-encoded.

// writeFrame writes a request (errs nil) or a response.
func writeFrame(w io.Writer, id int, name string, items [][]byte, errs []string, max int) error {
	n := 4 + 4 + len(name) + 4
	for i, it := range items {
		if errs != nil && errs[i] != "" {
			it = []byte(errs[i])
		}
		n += 1 + 4 + len(it)
	}
	if n > max {
		return fmt.Errorf("%w: %s, over the limit of %s", errTooBig, size(n), size(max))
	}
	buf := make([]byte, 0, 4+n)
	buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	buf = binary.BigEndian.AppendUint32(buf, uint32(int32(id)))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(name)))
	buf = append(buf, name...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(items)))
	for i, it := range items {
		flag := byte(1)
		if errs != nil && errs[i] != "" {
			flag, it = 0, []byte(errs[i])
		}
		buf = append(buf, flag)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(it)))
		buf = append(buf, it...)
	}
	_, err := w.Write(buf)
	return err
}

// readFrame reads one frame. The items are slices of one buffer; an item
// whose flag is 0 comes back as an error text in errs.
func readFrame(r io.Reader, max int) (id int, name string, items [][]byte, errs []string, err error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, "", nil, nil, err
	}
	n := int(binary.BigEndian.Uint32(head[:]))
	if n > max {
		return 0, "", nil, nil, fmt.Errorf("proc: a message of %s is over the limit of %s", size(n), size(max))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, "", nil, nil, fmt.Errorf("proc: message cut short: %w", err)
	}
	bad := errors.New("proc: malformed message")
	u32 := func() (int, bool) {
		if len(body) < 4 {
			return 0, false
		}
		v := binary.BigEndian.Uint32(body)
		body = body[4:]
		return int(v), true
	}
	raw, ok := u32()
	if !ok {
		return 0, "", nil, nil, bad
	}
	id = int(int32(uint32(raw)))
	nl, ok := u32()
	if !ok || nl > len(body) {
		return 0, "", nil, nil, bad
	}
	name, body = string(body[:nl]), body[nl:]
	count, ok := u32()
	if !ok || count > len(body) {
		return 0, "", nil, nil, bad
	}
	items, errs = make([][]byte, count), make([]string, count)
	for i := range count {
		if len(body) < 1 {
			return 0, "", nil, nil, bad
		}
		flag := body[0]
		body = body[1:]
		l, ok := u32()
		if !ok || l > len(body) {
			return 0, "", nil, nil, bad
		}
		if flag == 0 {
			errs[i] = string(body[:l])
		} else {
			items[i] = body[:l:l]
		}
		body = body[l:]
	}
	return id, name, items, errs, nil
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
