package attack

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// LoadOptions are the choices a user makes about an --attack source.
type LoadOptions struct {
	// Domain, when set, is the domain the user asked for; a bundle of
	// another domain is then an error rather than a silent surprise.
	Domain string
	// Version names a vault's ATT&CK version, which its pages never state.
	Version string
}

// Load reads the ATT&CK sources a user named with --attack: STIX 2.1
// bundles (.json, .json.gz, recognised by content as well) are merged into
// one catalog; directories and Markdown pages form a vault. Mixing the two
// kinds is refused, since there is no sound way to merge a vault's partial
// picture into a bundle's.
func Load(paths []string, o LoadOptions) (*Catalog, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no ATT&CK source given")
	}
	var bundles, pages []string
	for _, p := range paths {
		kind, err := sourceKind(p)
		if err != nil {
			return nil, err
		}
		if kind == "stix" {
			bundles = append(bundles, p)
		} else {
			pages = append(pages, p)
		}
	}
	if len(bundles) > 0 && len(pages) > 0 {
		return nil, fmt.Errorf("--attack mixes STIX bundles (%s) and Markdown vault pages (%s); use one kind",
			strings.Join(bundles, ", "), strings.Join(pages, ", "))
	}
	want := ""
	if o.Domain != "" {
		d, err := Domain(o.Domain)
		if err != nil {
			return nil, err
		}
		want = d
	}
	var (
		c   *Catalog
		err error
	)
	if len(bundles) > 0 {
		c, err = LoadSTIXFiles(bundles...)
		if err == nil && o.Version != "" && c.Version != "" && c.Version != o.Version {
			return nil, fmt.Errorf("%s is ATT&CK %s, not %s as --attack-version says", strings.Join(bundles, ", "), c.Version, o.Version)
		}
		if err == nil && c.Version == "" {
			c.Version = o.Version
		}
	} else {
		c, err = LoadVault(pages, VaultOptions{Domain: want, Version: o.Version})
	}
	if err != nil {
		return nil, err
	}
	if want != "" && c.Domain != want {
		return nil, fmt.Errorf("%s holds %s, but --domain asks for %s", c.Source, c.Domain, want)
	}
	return c, nil
}

// sourceKind tells a STIX bundle from vault pages by the first bytes of a
// file (gzip magic or a JSON object), falling back on nothing: a directory
// is always a vault.
func sourceKind(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--attack %s: %w", path, err)
	}
	if st.IsDir() {
		return "vault", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--attack %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("--attack %s: %w", path, err)
	}
	head = bytes.TrimLeft(head[:n], " \t\r\n\xef\xbb\xbf")
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "stix", nil
	case len(head) > 0 && (head[0] == '{' || head[0] == '['):
		// JSON is never a vault page; the STIX loader says what is wrong
		// with a JSON file that is not a bundle.
		return "stix", nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".gz":
		return "stix", nil // let the STIX loader say what is wrong with it
	}
	return "vault", nil
}
