package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildBinary compiles covgap once for the process benchmarks: what a user
// waits for is process start to exit, including decoding the embedded data.
func buildBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "covgap")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("go build: %v", err)
	}
	return bin
}

func benchProcess(b *testing.B, args ...string) {
	bin := buildBinary(b)
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatalf("covgap %v: %v", args, err)
		}
	}
}

// BenchmarkProcessAnalyze is `covgap analyze example.xlsx` end to end: all
// groups, terminal tables.
func BenchmarkProcessAnalyze(b *testing.B) {
	benchProcess(b, "analyze", repoPath("testdata", "inventory", "example.xlsx"))
}

// BenchmarkProcessAnalyzeWorkbook adds writing the full Excel report.
func BenchmarkProcessAnalyzeWorkbook(b *testing.B) {
	out := filepath.Join(b.TempDir(), "report.xlsx")
	benchProcess(b, "analyze", "-o", out, repoPath("testdata", "inventory", "example.xlsx"))
}

// BenchmarkRunAnalyze is the same work in-process, without process start.
func BenchmarkRunAnalyze(b *testing.B) {
	inv := repoPath("testdata", "inventory", "example.xlsx")
	for b.Loop() {
		if code := run([]string{"analyze", "--format", "json", inv}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
