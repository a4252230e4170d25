package attack

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// MaxBundleSize is the largest STIX bundle, after decompression, that the
// loader accepts. ATT&CK Enterprise 18.1 is 50 MB; the limit leaves room for
// growth and for Workbench exports while stopping a gzip bomb from filling
// memory.
var MaxBundleSize int64 = 512 << 20

// BundleError is a problem that stops a bundle from loading: not a bundle,
// broken JSON, too large, or an object that cannot be read.
type BundleError struct {
	File   string
	Offset int64  // byte offset in the (decompressed) JSON; -1 when not about one place
	Object string // STIX id of the object concerned, when known
	Msg    string
	// Gzip says the file was compressed, so Offset counts bytes of the
	// decompressed JSON rather than of the file.
	Gzip bool
}

func (e *BundleError) Error() string {
	s := e.File + ": "
	if e.Offset >= 0 {
		s += fmt.Sprintf("at byte offset %d", e.Offset)
		if e.Gzip {
			s += " of the decompressed JSON"
		}
		s += ": "
	}
	if e.Object != "" {
		s += "object " + e.Object + ": "
	}
	return s + e.Msg
}

// block sizes for the reader pipeline: large enough that channel traffic is
// negligible, small enough that parsing starts early.
const readBlock = 1 << 20

type chunk struct {
	b   []byte
	err error
}

// openStream returns a reader of the bundle's JSON, decompressing gzip
// (recognised by its magic bytes, whatever the file is called) in a separate
// goroutine so that inflating and parsing run on two cores at once. The
// returned stop function must be called to release the goroutine.
func openStream(r io.Reader, limit int64) (io.Reader, bool, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		// Plain JSON comes from a file or memory, where reading costs far
		// less than parsing; a goroutine would only add copies.
		return &limitedReader{r: br, left: limit}, false, func() {}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, true, nil, fmt.Errorf("not a readable gzip file: %w", err)
	}

	ch := make(chan chunk, 4)
	// Blocks go back to the inflating goroutine once copied out, so a 50 MB
	// bundle costs a handful of blocks rather than 50 MB of garbage.
	free := make(chan []byte, 8)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		lr := &limitedReader{r: zr, left: limit}
		for {
			var buf []byte
			select {
			case buf = <-free:
			default:
				buf = make([]byte, readBlock)
			}
			n := 0
			var err error
			for n < len(buf) && err == nil {
				var k int
				k, err = lr.Read(buf[n:])
				n += k
			}
			if n > 0 {
				select {
				case ch <- chunk{b: buf[:n]}:
				case <-done:
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				switch {
				case errors.Is(err, io.ErrUnexpectedEOF):
					err = errors.New("the gzip data ends early: the file is truncated (an interrupted download or copy?)")
				case err != errTooLarge:
					err = fmt.Errorf("reading gzip data: %w", err)
				}
				select {
				case ch <- chunk{err: err}:
				case <-done:
				}
				return
			}
		}
	}()
	return &chanReader{ch: ch, free: free}, true, func() { close(done) }, nil
}

var errTooLarge = errors.New("too large")

// limitedReader fails, rather than truncating, once more than left bytes
// have been read: a truncated bundle would be a misleading syntax error.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

type chanReader struct {
	ch   chan chunk
	free chan []byte
	cur  []byte
	blk  []byte // the block cur points into, returned to free when used up
}

func (c *chanReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.blk != nil {
			select {
			case c.free <- c.blk[:cap(c.blk)]:
			default:
			}
			c.blk = nil
		}
		ck, ok := <-c.ch
		if !ok {
			return 0, io.EOF
		}
		if ck.err != nil {
			return 0, ck.err
		}
		c.cur, c.blk = ck.b, ck.b
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// window is a sliding buffer over the stream: values are parsed in place,
// and when one runs past the end the unread tail moves to the front and
// more data is read behind it.
type window struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unparsed byte in buf
	base int64 // stream offset of buf[0]
	eof  bool
	err  error
}

// fill reads more data, growing buf when the unparsed tail fills it (a
// single object larger than the buffer).
func (w *window) fill() error {
	if w.eof {
		return errShort
	}
	tail := len(w.buf) - w.pos
	if tail*2 > cap(w.buf) {
		nb := make([]byte, tail, 2*cap(w.buf))
		copy(nb, w.buf[w.pos:])
		w.buf = nb
	} else {
		copy(w.buf[:tail], w.buf[w.pos:])
		w.buf = w.buf[:tail]
	}
	w.base += int64(w.pos)
	w.pos = 0
	for empty := 0; len(w.buf) < cap(w.buf); {
		n, err := w.r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+n]
		if n == 0 && err == nil {
			if empty++; empty > 100 {
				w.err = io.ErrNoProgress
				return w.err
			}
		}
		if err == io.EOF {
			w.eof = true
			break
		}
		if err != nil {
			w.err = err
			return err
		}
		// Reading at least as much as the cut-off value already holds keeps
		// the rescans of a huge value linear in its size.
		if n > 0 && len(w.buf)-tail >= max(readBlock, tail) {
			break
		}
	}
	return nil
}

// next runs parse on the unparsed data, refilling and retrying while the
// value is cut off by the end of the buffer. parse returns the offset past
// what it consumed.
func (w *window) next(parse func(b []byte, i int) (int, error)) error {
	for {
		end, err := parse(w.buf, w.pos)
		if err == nil {
			w.pos = end
			return nil
		}
		if err != errShort {
			return err
		}
		if w.eof {
			return synErr(len(w.buf), "unexpected end of JSON input")
		}
		if ferr := w.fill(); ferr != nil && ferr != errShort {
			return ferr
		}
	}
}

// peek returns the next non-space byte, reading more as needed; 0 at end.
func (w *window) peek() (byte, error) {
	for {
		w.pos = skipSpace(w.buf, w.pos)
		if w.pos < len(w.buf) {
			return w.buf[w.pos], nil
		}
		if w.eof {
			return 0, nil
		}
		if err := w.fill(); err != nil && err != errShort {
			return 0, err
		}
	}
}

// readBundle streams the JSON of one bundle and calls obj with the bytes of
// each element of its objects array and the stream offset of its start.
// The bytes are only valid during the call.
func readBundle(r io.Reader, name string, limit int64, obj func(b []byte, off int64) error) (err error) {
	// The hint must be taken before the inflating goroutine starts reading r.
	hint := sizeHint(r)
	src, gz, stop, err := openStream(r, limit)
	if err != nil {
		return &BundleError{File: name, Offset: -1, Msg: err.Error()}
	}
	defer stop()
	defer func() {
		var be *BundleError
		if gz && errors.As(err, &be) {
			be.Gzip = true
		}
	}()
	// Small bundles get a small window; it grows for objects larger than it.
	w := &window{r: src, buf: make([]byte, 0, int(min(max(hint+512, 64<<10), 4*readBlock)))}
	fail := func(e error) error {
		var se *syntaxError
		switch {
		case errors.Is(e, errTooLarge):
			return &BundleError{File: name, Offset: -1, Msg: fmt.Sprintf("bundle is larger than the limit of %d MiB once decompressed", limit>>20)}
		case errors.As(e, &se):
			return &BundleError{File: name, Offset: w.base + int64(se.off), Msg: "invalid JSON: " + se.msg}
		}
		return &BundleError{File: name, Offset: -1, Msg: e.Error()}
	}
	c, err := w.peek()
	if err != nil {
		return fail(err)
	}
	if c == 0xEF {
		// A UTF-8 byte-order mark, as Windows editors save JSON: skip it.
		for len(w.buf)-w.pos < 3 && !w.eof {
			if ferr := w.fill(); ferr != nil && ferr != errShort {
				return fail(ferr)
			}
		}
		if bytes.HasPrefix(w.buf[w.pos:], []byte("\xef\xbb\xbf")) {
			w.pos += 3
			if c, err = w.peek(); err != nil {
				return fail(err)
			}
		}
	}
	switch c {
	case 0:
		return &BundleError{File: name, Offset: -1, Msg: "empty file; expected a STIX 2.1 bundle"}
	case '{':
	default:
		return &BundleError{File: name, Offset: w.base + int64(w.pos),
			Msg: fmt.Sprintf("not a STIX bundle: expected a JSON object with \"type\": \"bundle\", found %q", c)}
	}
	w.pos++
	var typ string
	sawObjects := false
	first := true
	for {
		c, err := w.peek()
		if err != nil {
			return fail(err)
		}
		if c == '}' {
			w.pos++
			break
		}
		if !first {
			if c != ',' {
				if c == 0 {
					return fail(synErr(w.pos, "unexpected end of JSON input"))
				}
				return fail(synErr(w.pos, "invalid character %q after object value, expected ',' or '}'", c))
			}
			w.pos++
			if c, err = w.peek(); err != nil {
				return fail(err)
			}
		}
		first = false
		if c != '"' {
			if c == 0 {
				return fail(synErr(w.pos, "unexpected end of JSON input"))
			}
			return fail(synErr(w.pos, "invalid character %q looking for the beginning of an object key", c))
		}
		var key string
		if err := w.next(func(b []byte, i int) (int, error) {
			s, e, err := decodeString(b, i)
			key = s
			return e, err
		}); err != nil {
			return fail(err)
		}
		if c, err = w.peek(); err != nil {
			return fail(err)
		}
		if c != ':' {
			if c == 0 {
				return fail(synErr(w.pos, "unexpected end of JSON input"))
			}
			return fail(synErr(w.pos, "invalid character %q after object key, expected ':'", c))
		}
		w.pos++
		if c, err = w.peek(); err != nil {
			return fail(err)
		}
		switch key {
		case "type":
			if err := w.next(func(b []byte, i int) (int, error) {
				s, e, err := decodeStringValue(b, i)
				typ = s
				return e, err
			}); err != nil {
				return fail(err)
			}
			if typ != "bundle" {
				return &BundleError{File: name, Offset: -1, Msg: fmt.Sprintf("not a STIX bundle: top-level \"type\" is %q, expected \"bundle\"", typ)}
			}
		case "objects":
			if c != '[' {
				return &BundleError{File: name, Offset: w.base + int64(w.pos), Msg: "not a STIX bundle: \"objects\" is not an array"}
			}
			sawObjects = true
			if err := readObjects(w, obj, fail); err != nil {
				return err
			}
		default:
			if err := w.next(skipValue); err != nil {
				return fail(err)
			}
		}
	}
	if c, err := w.peek(); err != nil {
		return fail(err)
	} else if c != 0 {
		return fail(synErr(w.pos, "invalid character %q after the top-level value", c))
	}
	if typ != "bundle" {
		return &BundleError{File: name, Offset: -1, Msg: "not a STIX bundle: no \"type\": \"bundle\""}
	}
	if !sawObjects {
		return &BundleError{File: name, Offset: -1, Msg: "not a STIX bundle: no \"objects\" array"}
	}
	return nil
}

func readObjects(w *window, obj func([]byte, int64) error, fail func(error) error) error {
	w.pos++ // '['
	first := true
	for {
		c, err := w.peek()
		if err != nil {
			return fail(err)
		}
		if c == ']' {
			w.pos++
			return nil
		}
		if !first {
			if c != ',' {
				if c == 0 {
					return fail(synErr(w.pos, "unexpected end of JSON input"))
				}
				return fail(synErr(w.pos, "invalid character %q after array element, expected ',' or ']'", c))
			}
			w.pos++
			if c, err = w.peek(); err != nil {
				return fail(err)
			}
		}
		first = false
		if c != '{' {
			if c == 0 {
				return fail(synErr(w.pos, "unexpected end of JSON input"))
			}
			return fail(synErr(w.pos, "invalid character %q in objects array, expected a STIX object", c))
		}
		var start int
		if err := w.next(func(b []byte, i int) (int, error) {
			start = i
			return skipValue(b, i)
		}); err != nil {
			return fail(err)
		}
		if err := obj(w.buf[start:w.pos], w.base+int64(start)); err != nil {
			return err
		}
	}
}
