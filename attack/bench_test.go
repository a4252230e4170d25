package attack

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkEmbeddedEnterprise measures decoding the embedded snapshot, as
// the first Embedded call of a process does (later calls hit the cache).
func BenchmarkEmbeddedEnterprise(b *testing.B) {
	data, err := embedded.ReadFile("data/" + Enterprise + ".snap")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadSnapshot(data, EmbeddedSource); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSTIX18GZ(b *testing.B) {
	benchLoad(b, sharedAttack(b, "enterprise-attack-18.1.json.gz"))
}

// BenchmarkLoadSTIX18JSON loads the uncompressed bundle, unpacked to a
// temporary file first.
func BenchmarkLoadSTIX18JSON(b *testing.B) {
	gz := sharedAttack(b, "enterprise-attack-18.1.json.gz")
	in, err := os.Open(gz)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "enterprise-attack-18.1.json")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	benchLoad(b, path)
}

func benchLoad(b *testing.B, path string) {
	if st, err := os.Stat(path); err == nil {
		b.SetBytes(st.Size())
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := LoadSTIXFiles(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Groups) != 172 {
			b.Fatalf("%d groups", len(c.Groups))
		}
	}
}
