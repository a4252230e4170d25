//go:build unix

package atomicfile

import (
	"os"
	"syscall"
)

// umask is the process's file-creation mask, read once at start: reading
// it means setting it, so it is done before any other goroutine creates
// files.
var umask = func() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}()
