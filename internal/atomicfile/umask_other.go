//go:build !unix

package atomicfile

import "os"

// umask: systems without one get the usual default.
var umask os.FileMode = 0o022
