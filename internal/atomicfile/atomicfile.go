// Package atomicfile writes files whole or not at all: through a temporary
// file in the target's directory, synced and renamed into place. A reader
// sees the previous file or the new one, never half of one, and a failed
// write leaves last quarter's report where it was.
//
// The new file gets the mode an ordinary create would give it (0666 less
// the process umask), or the mode of the file it replaces: a team that
// keeps its gap reports private with umask 077 or chmod must not find
// covgap making them world-readable.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write produces. Errors name
// path, never the temporary file.
func Write(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	mode := os.FileMode(0o666) &^ umask
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			return fmt.Errorf("%s: directory %s does not exist", path, dir)
		}
		return fmt.Errorf("%s: directory %s is not writable", path, dir)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// CheckDir reports, before any work, whether files can be created in dir:
// permission bits do not tell the whole story (read-only mounts, ACLs), so
// it creates and removes a probe file.
func CheckDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("directory %s does not exist", dir)
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".covgap-probe-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable", dir)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// CheckTarget reports, before any work, whether Write(path) can succeed as
// far as the file system tells in advance: path is not a directory, and
// its directory exists and takes new files.
func CheckTarget(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	return CheckDir(filepath.Dir(path))
}
