package attack

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// A snapshot is a Catalog in a compact binary form, for the data embedded in
// the binary: JSON would cost tens of milliseconds to parse at every start,
// and gob carries type descriptions and reflection. The format is a magic
// line and a payload of uvarint counts and length-prefixed strings in a
// fixed field order. The payload is cut into a few pieces, each its own raw
// DEFLATE stream, so that they inflate on all cores at once: inflating is
// most of the load time. Reading slices every field out of one string made
// from the inflated payload, so loading allocates little beyond the objects
// themselves.
//
// Layout: magic, uvarint payload length, uvarint piece count, per piece
// uvarint inflated and deflated lengths, then the deflated pieces.
//
// The format is private to this package and its generator; changing the
// field order means regenerating attack/data (go generate ./attack/).

const snapshotMagic = "covgap-attack-snapshot v2\n"

// snapshotPieces is how many DEFLATE streams a snapshot is cut into; more
// pieces than cores gains nothing, and each piece compresses a little
// worse than the whole.
const snapshotPieces = 4

// maxSnapshot bounds the inflated size, a guard against a corrupt file.
const maxSnapshot = 64 << 20

// WriteSnapshot writes c in snapshot form. Source and Warnings are not
// written: an embedded catalog's source is "embedded".
func WriteSnapshot(w io.Writer, c *Catalog) error {
	var e snapEncoder
	e.str(c.Domain)
	e.str(c.Version)
	e.num(len(c.Tactics))
	for _, t := range c.Tactics {
		e.str(t.ID)
		e.str(t.ShortName)
		e.str(t.Name)
		e.str(t.Description)
	}
	e.num(len(c.Techniques))
	for _, t := range c.Techniques {
		e.str(t.ID)
		e.str(t.Name)
		e.strs(t.Tactics)
		e.strs(t.Platforms)
		e.str(t.Parent)
		e.strs(t.Subtechniques)
		e.str(t.Description)
		e.strs(t.Mitigations)
	}
	e.num(len(c.Mitigations))
	for _, m := range c.Mitigations {
		e.str(m.ID)
		e.str(m.Name)
		e.str(m.Description)
		e.strs(m.Techniques)
	}
	e.num(len(c.Groups))
	for _, g := range c.Groups {
		e.str(g.ID)
		e.str(g.Name)
		e.strs(g.Aliases)
		e.str(g.Description)
		e.num(len(g.Uses))
		for _, u := range g.Uses {
			e.str(u.Technique)
			e.flag(u.Direct)
			e.strs(u.Campaigns)
			e.strs(u.Software)
		}
		e.strs(g.Campaigns)
		e.strs(g.Software)
	}
	e.num(len(c.Campaigns))
	for _, cp := range c.Campaigns {
		e.str(cp.ID)
		e.str(cp.Name)
		e.strs(cp.Aliases)
		e.str(cp.Description)
		e.strs(cp.Groups)
		e.strs(cp.Techniques)
	}
	e.num(len(c.Software))
	for _, s := range c.Software {
		e.str(s.ID)
		e.str(s.Name)
		e.str(s.Type)
		e.strs(s.Aliases)
		e.strs(s.Techniques)
	}
	e.num(len(c.Retired))
	for _, r := range c.Retired {
		e.str(string(r.Kind))
		e.str(r.ID)
		e.str(r.Name)
		e.flag(r.Revoked)
		e.flag(r.Deprecated)
		e.str(r.ReplacedBy)
	}

	payload := e.b.Bytes()
	var head snapEncoder
	head.b.WriteString(snapshotMagic)
	head.num(len(payload))
	head.num(snapshotPieces)
	var body bytes.Buffer
	size := (len(payload) + snapshotPieces - 1) / snapshotPieces
	for i := 0; i < snapshotPieces; i++ {
		piece := payload[min(i*size, len(payload)):min((i+1)*size, len(payload))]
		n := body.Len()
		fw, err := flate.NewWriter(&body, flate.BestCompression)
		if err != nil {
			return err
		}
		if _, err := fw.Write(piece); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		head.num(len(piece))
		head.num(body.Len() - n)
	}
	if _, err := w.Write(head.b.Bytes()); err != nil {
		return err
	}
	_, err := w.Write(body.Bytes())
	return err
}

type snapEncoder struct {
	b   bytes.Buffer
	tmp [binary.MaxVarintLen64]byte
}

func (e *snapEncoder) num(n int) {
	e.b.Write(e.tmp[:binary.PutUvarint(e.tmp[:], uint64(n))])
}

func (e *snapEncoder) str(s string) {
	e.num(len(s))
	e.b.WriteString(s)
}

func (e *snapEncoder) strs(s []string) {
	e.num(len(s))
	for _, x := range s {
		e.str(x)
	}
}

func (e *snapEncoder) flag(b bool) {
	if b {
		e.b.WriteByte(1)
	} else {
		e.b.WriteByte(0)
	}
}

// ReadSnapshot reads a catalog written by WriteSnapshot. source becomes the
// catalog's Source.
func ReadSnapshot(data []byte, source string) (*Catalog, error) {
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
		return nil, fmt.Errorf("%s: not a covgap ATT&CK snapshot", source)
	}
	payload, err := inflatePieces(data[len(snapshotMagic):])
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt snapshot: %w", source, err)
	}
	d := snapDecoder{s: string(payload)}
	c := d.catalog()
	if d.err != nil {
		return nil, fmt.Errorf("%s: corrupt snapshot: %w", source, d.err)
	}
	if d.pos != len(d.s) {
		return nil, fmt.Errorf("%s: corrupt snapshot: %d bytes left over", source, len(d.s)-d.pos)
	}
	c.Source = source
	c.Index()
	return c, nil
}

var errSnapshotShort = errors.New("data ends early")

// inflatePieces reads the piece table after the magic line and inflates the
// pieces concurrently into one buffer.
func inflatePieces(data []byte) ([]byte, error) {
	pos := 0
	bad := false
	num := func() int {
		x, k := binary.Uvarint(data[pos:])
		if k <= 0 || x > maxSnapshot {
			bad = true
			return 0
		}
		pos += k
		return int(x)
	}
	total, n := num(), num()
	if bad || n == 0 || n > 64 {
		return nil, fmt.Errorf("bad piece table")
	}
	type piece struct{ raw, off, zoff, zlen int }
	pieces := make([]piece, n)
	off := 0
	for i := range pieces {
		pieces[i] = piece{raw: num(), off: off}
		pieces[i].zlen = num()
		off += pieces[i].raw
	}
	if bad || off != total {
		return nil, fmt.Errorf("bad piece table")
	}
	zoff := pos
	for i := range pieces {
		pieces[i].zoff = zoff
		zoff += pieces[i].zlen
	}
	if zoff != len(data) {
		return nil, fmt.Errorf("pieces add up to %d bytes, have %d", zoff, len(data))
	}
	out := make([]byte, total)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, p := range pieces {
		wg.Go(func() {
			fr := flate.NewReader(bytes.NewReader(data[p.zoff : p.zoff+p.zlen]))
			defer fr.Close()
			if _, err := io.ReadFull(fr, out[p.off:p.off+p.raw]); err != nil {
				errs[i] = err
				return
			}
			// The piece must end exactly where the table says.
			var one [1]byte
			if k, err := fr.Read(one[:]); k != 0 || err != io.EOF {
				errs[i] = fmt.Errorf("piece %d longer than its table entry", i)
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// snapDecoder reads fields in order; after the first error every read
// returns a zero value and the error is reported once at the end.
type snapDecoder struct {
	s   string
	pos int
	err error
}

func (d *snapDecoder) num() int {
	if d.err != nil {
		return 0
	}
	var x uint64
	var shift uint
	for {
		if d.pos >= len(d.s) || shift > 63 {
			d.err = errSnapshotShort
			return 0
		}
		c := d.s[d.pos]
		d.pos++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	// No count or length can exceed what is left of the payload.
	if x > uint64(len(d.s)-d.pos) {
		d.err = fmt.Errorf("length %d at byte %d exceeds the data", x, d.pos)
		return 0
	}
	return int(x)
}

func (d *snapDecoder) str() string {
	n := d.num()
	if d.err != nil {
		return ""
	}
	s := d.s[d.pos : d.pos+n]
	d.pos += n
	return s
}

func (d *snapDecoder) strs() []string {
	n := d.num()
	if n == 0 || d.err != nil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *snapDecoder) flag() bool {
	if d.err != nil {
		return false
	}
	if d.pos >= len(d.s) {
		d.err = errSnapshotShort
		return false
	}
	b := d.s[d.pos]
	d.pos++
	return b == 1
}

func (d *snapDecoder) catalog() *Catalog {
	c := &Catalog{Domain: d.str(), Version: d.str()}
	if n := d.num(); n > 0 {
		c.Tactics = make([]Tactic, n)
		for i := range c.Tactics {
			c.Tactics[i] = Tactic{ID: d.str(), ShortName: d.str(), Name: d.str(), Description: d.str()}
		}
	}
	if n := d.num(); n > 0 {
		// One backing array for all techniques: fewer allocations.
		ts := make([]Technique, n)
		c.Techniques = make([]*Technique, n)
		for i := range ts {
			ts[i] = Technique{ID: d.str(), Name: d.str(), Tactics: d.strs(), Platforms: d.strs(),
				Parent: d.str(), Subtechniques: d.strs(), Description: d.str(), Mitigations: d.strs()}
			c.Techniques[i] = &ts[i]
		}
	}
	if n := d.num(); n > 0 {
		ms := make([]Mitigation, n)
		c.Mitigations = make([]*Mitigation, n)
		for i := range ms {
			ms[i] = Mitigation{ID: d.str(), Name: d.str(), Description: d.str(), Techniques: d.strs()}
			c.Mitigations[i] = &ms[i]
		}
	}
	if n := d.num(); n > 0 {
		gs := make([]Group, n)
		c.Groups = make([]*Group, n)
		for i := range gs {
			g := &gs[i]
			g.ID, g.Name, g.Aliases, g.Description = d.str(), d.str(), d.strs(), d.str()
			if nu := d.num(); nu > 0 {
				g.Uses = make([]Use, nu)
				for j := range g.Uses {
					g.Uses[j] = Use{Technique: d.str(), Direct: d.flag(), Campaigns: d.strs(), Software: d.strs()}
				}
			}
			g.Campaigns, g.Software = d.strs(), d.strs()
			c.Groups[i] = g
		}
	}
	if n := d.num(); n > 0 {
		cs := make([]Campaign, n)
		c.Campaigns = make([]*Campaign, n)
		for i := range cs {
			cs[i] = Campaign{ID: d.str(), Name: d.str(), Aliases: d.strs(), Description: d.str(), Groups: d.strs(), Techniques: d.strs()}
			c.Campaigns[i] = &cs[i]
		}
	}
	if n := d.num(); n > 0 {
		ss := make([]Software, n)
		c.Software = make([]*Software, n)
		for i := range ss {
			ss[i] = Software{ID: d.str(), Name: d.str(), Type: d.str(), Aliases: d.strs(), Techniques: d.strs()}
			c.Software[i] = &ss[i]
		}
	}
	if n := d.num(); n > 0 {
		c.Retired = make([]Retired, n)
		for i := range c.Retired {
			c.Retired[i] = Retired{Kind: Kind(d.str()), ID: d.str(), Name: d.str(), Revoked: d.flag(), Deprecated: d.flag(), ReplacedBy: d.str()}
		}
	}
	return c
}
