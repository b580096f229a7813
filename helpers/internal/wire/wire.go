// Package wire is the message format between a process pool and its
// worker processes: frames written to a pipe, one request or one response
// at a time.
//
// On the wire a frame is its length in 4 bytes, then its ID, the length
// and bytes of its name, and the number of its items, each item a flag
// byte (1 for a value, 0 for an error text) and a length-prefixed body;
// every number is 4 bytes, big-endian. Items are values the caller has
// already encoded, carried as they are, so that a big argument is copied
// once into the frame and never encoded again.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A Frame is one message between a pool and a worker.
//
// A request has a task's Name and its arguments in Items; a response has
// the same ID and, for each argument, either a result in Items or an
// error text in Errs. A cancel frame has the ID of a request and no
// items; a worker's first frame has the ID Ready and says it is ready.
type Frame struct {
	ID    int
	Name  string   // the task's name; empty in responses
	Items [][]byte // the encoded arguments or results
	Errs  []string // "" or an error text, one for each item; nil in requests
}

// DefaultMax is the default limit on the length of a frame.
const DefaultMax = 64 << 20

// Ready is the ID of the frame a worker sends once, when it starts.
const Ready = -1

// ErrTooBig is the error for a frame over the size limit. Write sends
// nothing then, so the pipe is still good.
var ErrTooBig = errors.New("message too big")

// item returns the i-th item's flag and body.
func (f Frame) item(i int) (byte, []byte) {
	if f.Errs != nil && f.Errs[i] != "" {
		return 0, []byte(f.Errs[i])
	}
	return 1, f.Items[i]
}

// Write writes f to w in one call, or returns an error wrapping ErrTooBig
// without writing when it would be longer than max bytes.
func Write(w io.Writer, f Frame, max int) error {
	n := 4 + 4 + len(f.Name) + 4
	for i := range f.Items {
		_, body := f.item(i)
		n += 1 + 4 + len(body)
	}
	if n > max {
		return fmt.Errorf("%w: %s, over the limit of %s", ErrTooBig, Size(n), Size(max))
	}
	buf := make([]byte, 0, 4+n)
	buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	buf = binary.BigEndian.AppendUint32(buf, uint32(int32(f.ID)))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(f.Name)))
	buf = append(buf, f.Name...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(f.Items)))
	for i := range f.Items {
		flag, body := f.item(i)
		buf = append(buf, flag)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(body)))
		buf = append(buf, body...)
	}
	_, err := w.Write(buf)
	return err
}

// errMalformed is a frame whose lengths do not add up.
var errMalformed = errors.New("malformed message")

// Read reads one frame of at most max bytes. Its items are slices of one
// buffer. Errs has an entry for every item ("" for a value). At the end
// of r, before any byte of a frame, the error is io.EOF.
func Read(r io.Reader, max int) (Frame, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return Frame{}, err
	}
	n := int(binary.BigEndian.Uint32(head[:]))
	if n > max {
		return Frame{}, fmt.Errorf("a message of %s is over the limit of %s", Size(n), Size(max))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return Frame{}, fmt.Errorf("message cut short: %w", err)
	}
	u32 := func() (int, bool) {
		if len(body) < 4 {
			return 0, false
		}
		v := binary.BigEndian.Uint32(body)
		body = body[4:]
		return int(v), true
	}
	var f Frame
	id, ok := u32()
	if !ok {
		return Frame{}, errMalformed
	}
	f.ID = int(int32(uint32(id)))
	nl, ok := u32()
	if !ok || nl > len(body) {
		return Frame{}, errMalformed
	}
	f.Name, body = string(body[:nl]), body[nl:]
	count, ok := u32()
	if !ok || count > len(body) {
		return Frame{}, errMalformed
	}
	f.Items, f.Errs = make([][]byte, count), make([]string, count)
	for i := range count {
		if len(body) < 1 {
			return Frame{}, errMalformed
		}
		flag := body[0]
		body = body[1:]
		l, ok := u32()
		if !ok || l > len(body) {
			return Frame{}, errMalformed
		}
		if flag == 0 {
			f.Errs[i] = string(body[:l])
		} else {
			f.Items[i] = body[:l:l]
		}
		body = body[l:]
	}
	return f, nil
}

// Size formats a byte count for messages: "512 B", "1.5 KiB", "64.0 MiB".
func Size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
