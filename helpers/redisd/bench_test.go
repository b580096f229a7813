package redisd

import (
	"context"
	"testing"
)

// BenchmarkStartClose measures what a cell waits for: a server started,
// answering, and stopped again.
func BenchmarkStartClose(b *testing.B) {
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			if !k.embedded {
				if _, err := Find(); err != nil {
					b.Skip(err)
				}
			}
			for b.Loop() {
				s, err := Start(context.Background(), Options{Embedded: k.embedded})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
