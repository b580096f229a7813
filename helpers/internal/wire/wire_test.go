package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Frame
		want Frame // what Read gives back: Errs has an entry per item
	}{
		{"ready", Frame{ID: Ready}, Frame{ID: Ready, Items: [][]byte{}, Errs: []string{}}},
		{"cancel", Frame{ID: 7}, Frame{ID: 7, Items: [][]byte{}, Errs: []string{}}},
		{"request",
			Frame{ID: 1, Name: "square", Items: [][]byte{{1}, {2, 3}}},
			Frame{ID: 1, Name: "square", Items: [][]byte{{1}, {2, 3}}, Errs: []string{"", ""}}},
		{"response with an error",
			Frame{ID: 2, Items: [][]byte{{4}, nil, {}}, Errs: []string{"", "it failed", ""}},
			Frame{ID: 2, Items: [][]byte{{4}, nil, {}}, Errs: []string{"", "it failed", ""}}},
		{"big ID", Frame{ID: 1<<31 - 1, Name: "x"}, Frame{ID: 1<<31 - 1, Name: "x", Items: [][]byte{}, Errs: []string{}}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := Write(&buf, tt.in, 1<<20); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := Read(&buf, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: read %+v, want %+v", tt.name, got, tt.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes left after the frame", tt.name, buf.Len())
		}
	}
}

func TestTooBig(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, Frame{ID: 1, Name: "echo", Items: [][]byte{make([]byte, 2000)}}, 1024)
	if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), "over the limit of 1.0 KiB") {
		t.Errorf("Write of a frame over the limit: %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write wrote %d bytes of a frame over the limit", buf.Len())
	}
	Write(&buf, Frame{ID: 1, Items: [][]byte{make([]byte, 2000)}}, 1<<20)
	if _, err := Read(&buf, 1024); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("Read of a frame over the limit: %v", err)
	}
}

// frame builds the bytes of a frame from its parts, right or wrong.
func frame(parts ...any) []byte {
	var body []byte
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			body = binary.BigEndian.AppendUint32(body, uint32(p))
		case string:
			body = append(body, p...)
		case byte:
			body = append(body, p)
		}
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"nothing", nil, "EOF"},
		{"half a length", []byte{0, 0}, "unexpected EOF"},
		{"cut short", frame(1, 0, 0)[:7], "message cut short"},
		{"no ID", frame("ab"), "malformed"},
		{"name longer than the frame", frame(1, 10, "abc"), "malformed"},
		{"more items than bytes", frame(1, 0, 5), "malformed"},
		{"item without its length", frame(1, 0, 1, byte(1)), "malformed"},
		{"item longer than the frame", frame(1, 0, 1, byte(1), 9, "abc"), "malformed"},
	}
	for _, tt := range tests {
		_, err := Read(bytes.NewReader(tt.in), 1<<20)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := Read(bytes.NewReader(nil), 1<<20); err != io.EOF {
		t.Errorf("Read at the end: %v, want io.EOF", err)
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1536, "1.5 KiB"}, {64 << 20, "64.0 MiB"},
	}
	for _, tt := range tests {
		if got := Size(tt.n); got != tt.want {
			t.Errorf("Size(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
