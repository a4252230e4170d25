package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "v1\n"); return err }); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if want := os.FileMode(0o666) &^ umask; st.Mode().Perm() != want {
		t.Errorf("new file mode %v, want %v (0666 less the umask)", st.Mode().Perm(), want)
	}
	// A replaced file keeps its mode: a private report stays private.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "v2\n"); return err }); err != nil {
		t.Fatal(err)
	}
	st, _ = os.Stat(path)
	data, _ := os.ReadFile(path)
	if st.Mode().Perm() != 0o600 || string(data) != "v2\n" {
		t.Errorf("replaced file: mode %v, content %q", st.Mode().Perm(), data)
	}
	// A failed write leaves the previous file and no temporary file.
	boom := errors.New("boom")
	if err := Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	data, _ = os.ReadFile(path)
	ents, _ := os.ReadDir(dir)
	if string(data) != "v2\n" || len(ents) != 1 {
		t.Errorf("after a failed write: content %q, %d entries", data, len(ents))
	}
	// Errors name the target, not a temporary file.
	err := Write(filepath.Join(dir, "nope", "r.csv"), func(io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "nope/r.csv") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("missing directory: %v", err)
	}
	if err := Write(dir, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory target: %v", err)
	}
}

func TestCheckDir(t *testing.T) {
	if err := CheckDir(t.TempDir()); err != nil {
		t.Error(err)
	}
	if err := CheckDir("/nonexistent-covgap-dir"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("err = %v", err)
	}
}
