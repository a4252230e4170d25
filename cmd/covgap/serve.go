package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
	"github.com/covgap/covgap/reports"
)

func serveCommand() *command {
	return &command{name: "serve",
		summary: "serve a web page and an HTTP API where inventories are uploaded and scored",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, false)
			addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; it has no authentication, so keep it on loopback or behind a proxy that has")
			maxUpload := fs.Int64("max-upload", 20<<20, "largest inventory upload accepted, in bytes")
			parallel := fs.Int("parallel", 4, "analyses run at once; more requests are told to retry")
			return func(e *env, args []string) error {
				if err := needArgs(args, 0, 0, ""); err != nil {
					return err
				}
				if *maxUpload <= 0 || *parallel <= 0 {
					return usageErr("--max-upload and --parallel must be positive")
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				s := newServer(cat, *maxUpload, *parallel)
				return s.listen(e, *addr)
			}
		}}
}

// server answers uploads. It holds one catalog, loaded at start, and keeps
// nothing of what is uploaded: every inventory is read from the request,
// scored and answered from memory.
type server struct {
	cat       *attack.Catalog
	maxUpload int64
	slots     chan struct{} // bounds concurrent parsing and scoring: a workbook costs tens of MB
	uploads   chan struct{} // bounds uploads being received, each held in memory
	wait      time.Duration // how long a received upload waits for a busy slot
	now       func() time.Time
}

func newServer(cat *attack.Catalog, maxUpload int64, parallel int) *server {
	// Receiving is cheap but slow clients are slow: many more uploads may
	// arrive at once than may be parsed and scored at once.
	return &server{cat: cat, maxUpload: maxUpload, slots: make(chan struct{}, parallel),
		uploads: make(chan struct{}, 4*parallel), wait: slotWait, now: time.Now}
}

func (s *server) listen(e *env, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputErr(err)
	}
	if host, _, _ := net.SplitHostPort(addr); !isLoopback(host) {
		fmt.Fprintf(e.stderr, "covgap: warning: %s is reachable from other machines and serve has no authentication\n", addr)
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(e.stderr, "covgap: serving ATT&CK %s on http://%s/ (Ctrl-C stops)\n", catalogLabel(s.cat), ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return inputErr(err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleForm)
	mux.HandleFunc("POST /analyze", s.limited(s.handleAnalyzeForm))
	mux.HandleFunc("POST /api/analyze", s.limited(s.handleAnalyzeAPI))
	mux.HandleFunc("POST /api/validate", s.limited(s.handleValidate))
	mux.HandleFunc("GET /api/groups", s.handleGroups)
	mux.HandleFunc("GET /api/mitigations", s.handleMitigations)
	mux.HandleFunc("GET /api/template", s.handleTemplate)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	return securityHeaders(mux)
}

// securityHeaders keeps the pages inert: no scripts at all, no framing, no
// sniffing an upload's answer into something executable.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// httpError is an error with the status it answers with.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Errorf(format, a...)}
}

func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.status
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// upload is one request's inventory and analysis choices.
type upload struct {
	release func() // frees the analysis slot; call when done
	inv     *inventory.Inventory
	req     analyzer.Options
	groups  []string
	match   string
	format  string
}

// uploadTime is how long an upload may take to arrive while it holds a
// slot: 20 MB at a slow 1 MB/s fits comfortably.
const uploadTime = 30 * time.Second

// maxField bounds a form field other than the file: group lists and
// what-if lists are short, and an error never echoes more than this.
const maxField = 16 << 10

// readForm reads a multipart body part by part, holding the inventory
// file in memory (never in a temporary file: nothing uploaded is kept) up
// to the upload limit, and the other fields up to maxField each.
func (s *server) readForm(w http.ResponseWriter, r *http.Request) (file []byte, filename string, fields map[string]string, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", nil, badRequest("expected a multipart form with an 'inventory' file: %v", err)
	}
	fields = map[string]string{}
	seenFile := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", nil, uploadErr(err, s.maxUpload)
		}
		name := part.FormName()
		if name == "inventory" && !seenFile {
			seenFile = true
			filename = part.FileName()
			file, err = io.ReadAll(io.LimitReader(part, s.maxUpload+1))
			if err != nil {
				return nil, "", nil, uploadErr(err, s.maxUpload)
			}
			if int64(len(file)) > s.maxUpload {
				return nil, "", nil, &httpError{http.StatusRequestEntityTooLarge,
					fmt.Errorf("the inventory is larger than the %d bytes this server accepts", s.maxUpload)}
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxField+1))
		if err != nil {
			return nil, "", nil, uploadErr(err, s.maxUpload)
		}
		if len(v) > maxField {
			return nil, "", nil, badRequest("field %q is longer than %d bytes", clip(name), maxField)
		}
		if name != "" {
			fields[name] = string(v)
		}
	}
	if !seenFile {
		return nil, "", nil, badRequest("expected a multipart form with an 'inventory' file; the form has none")
	}
	return file, filename, fields, nil
}

func uploadErr(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &httpError{http.StatusRequestEntityTooLarge, fmt.Errorf("the upload is larger than the %d bytes this server accepts", limit)}
	}
	return badRequest("reading the upload: %v", err)
}

// clip shortens text from a request before it goes into a message.
func clip(s string) string { return truncate(s, 80) }

// readUpload reads the inventory and the same choices the analyze
// command's flags make.
func (s *server) readUpload(w http.ResponseWriter, r *http.Request, defaultFormat string) (u *upload, err error) {
	file, filename, fv, err := s.readForm(w, r)
	if err != nil {
		return nil, err
	}
	release := s.slot()
	if release == nil {
		return nil, errBusy
	}
	u = &upload{format: defaultFormat, release: release}
	defer func() {
		if err != nil {
			release()
		}
	}()
	if v := fv["format"]; v != "" {
		u.format = strings.ToLower(strings.TrimSpace(v))
	}
	switch u.format {
	case "html", "json", "xlsx", "csv", "markdown", "md":
	default:
		return nil, badRequest("format %q: want html, json, xlsx, csv or markdown", clip(u.format))
	}
	model, err := analyzer.ParseModel(fv["model"])
	if err != nil {
		return nil, badRequest("%s", truncate(err.Error(), 200))
	}
	top := 10
	if v := strings.TrimSpace(fv["top"]); v != "" {
		if top, err = strconv.Atoi(v); err != nil || top < 0 || top > 1000 {
			return nil, badRequest("top %q: want a whole number from 0 to 1000", clip(v))
		}
	}
	flags := map[string]bool{}
	for _, k := range []string{"planned", "no_campaigns", "include_software"} {
		b, ok := parseBool(fv[k])
		if !ok {
			return nil, badRequest("%s %q: want true or false", k, clip(fv[k]))
		}
		flags[k] = b
	}
	u.req = analyzer.Options{Model: model, Top: top, Assume: splitList(fv["assume"]), Planned: flags["planned"],
		Uses: attack.UseOptions{Campaigns: !flags["no_campaigns"], Software: flags["include_software"]}}
	u.groups = splitList(fv["groups"])
	u.match = strings.TrimSpace(fv["match"])

	// The client names the file; keep only a short base name for messages.
	name := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "inventory"
	}
	name = clip(name)
	// Limits from the upload's own size: a small file that unzips to
	// hundreds of megabytes (an xlsx bomb) is refused, not spilled to disk.
	maxSize := max(int64(len(file)), 1<<20)
	u.inv, err = inventory.Read(bytes.NewReader(file), name, s.cat, inventory.Options{Sheet: fv["sheet"], MaxSize: maxSize})
	if err != nil {
		return nil, &httpError{http.StatusUnprocessableEntity, err}
	}
	return u, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseBool reads a form's checkbox or an API client's flag; anything
// else is refused rather than read as false.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true, true
	case "", "0", "false", "off", "no":
		return false, true
	}
	return false, false
}

// limited runs an upload handler holding one of the upload places, and
// gives the body uploadTime to arrive: a client trickling its upload keeps
// one place for at most that long, and never an analysis slot, which is
// taken only once the body is in (see readUpload). Test recorders cannot
// set deadlines; that error is of no consequence.
func (s *server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
		select {
		case s.uploads <- struct{}{}:
			defer func() { <-s.uploads }()
		default:
			busy(w)
			return
		}
		h(w, r)
	}
}

func busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	jsonError(w, errBusy)
}

var errBusy = &httpError{http.StatusServiceUnavailable, errors.New("busy with other uploads; retry in a few seconds")}

// slot waits a little for an analysis slot and returns its release, or
// nil when the server stays busy.
func (s *server) slot() func() {
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }
	case <-t.C:
		return nil
	}
}

// slotWait is how long a received upload waits for a busy analysis slot.
const slotWait = 10 * time.Second

// analyze scores an upload.
func (s *server) analyze(r *http.Request, u *upload) (*reports.Report, error) {
	p, err := buildProfile(s.cat, u.groups, u.match, nil)
	if err != nil {
		return nil, badRequest("%s", truncate(err.Error(), 2000))
	}
	res, err := analyzer.Analyze(s.cat, u.inv, p, u.req)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return &reports.Report{Result: res, Inventory: u.inv, Catalog: s.cat, Generated: s.now(),
		Command: "covgap serve: " + r.URL.Path, Tool: "covgap " + version}, nil
}

// render writes a report in the upload's format, as a download for the
// formats a browser should not display.
func render(w http.ResponseWriter, rep *reports.Report, format string) error {
	var buf bytes.Buffer
	var ctype, ext string
	switch format {
	case "xlsx":
		if err := reports.WriteWorkbook(&buf, rep); err != nil {
			return err
		}
		ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	case "html":
		if err := reports.WriteHTML(&buf, rep); err != nil {
			return err
		}
		ctype = "text/html; charset=utf-8"
	default:
		sw, err := reports.ForStdout(format, &buf)
		if err != nil {
			return err
		}
		if err := sw.Write(rep); err != nil {
			return err
		}
		switch format {
		case "json":
			ctype = "application/json"
		case "csv":
			ctype, ext = "text/csv; charset=utf-8", "csv"
		default:
			ctype, ext = "text/markdown; charset=utf-8", "md"
		}
	}
	w.Header().Set("Content-Type", ctype)
	if ext != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="covgap-report.`+ext+`"`)
	}
	// A failed write means the client went away; there is no one left to
	// send an error to, and a second header would corrupt the answer.
	w.Write(buf.Bytes())
	return nil
}

func (s *server) handleAnalyzeAPI(w http.ResponseWriter, r *http.Request) {
	u, err := s.readUpload(w, r, "json")
	if err != nil {
		jsonError(w, err)
		return
	}
	defer u.release()
	rep, err := s.analyze(r, u)
	if err != nil {
		jsonError(w, err)
		return
	}
	if err := render(w, rep, u.format); err != nil {
		jsonError(w, err)
	}
}

func (s *server) handleValidate(w http.ResponseWriter, r *http.Request) {
	u, err := s.readUpload(w, r, "json")
	if err != nil {
		jsonError(w, err)
		return
	}
	defer u.release()
	// validate's JSON (SPEC §3) with a verdict on top, for API clients.
	raw, err := json.Marshal(u.inv)
	if err != nil {
		jsonError(w, err)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		jsonError(w, err)
		return
	}
	body["valid"] = u.inv.Errors() == 0
	body["errors"] = u.inv.Errors()
	w.Header().Set("Content-Type", "application/json")
	writeJSON(w, body)
}

func (s *server) handleGroups(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	writeJSON(w, groupRows(s.cat, attack.DefaultUseOptions(), r.URL.Query().Get("match")))
}

func (s *server) handleMitigations(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	writeJSON(w, mitigationRows(s.cat, attack.DefaultUseOptions()))
}

func (s *server) handleTemplate(w http.ResponseWriter, _ *http.Request) {
	var buf bytes.Buffer
	if err := inventory.WriteTemplate(&buf, s.cat, "xlsx"); err != nil {
		jsonError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="covgap-inventory.xlsx"`)
	w.Write(buf.Bytes())
}

func jsonError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOf(err))
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

func (s *server) handleAnalyzeForm(w http.ResponseWriter, r *http.Request) {
	u, err := s.readUpload(w, r, "html")
	if err != nil {
		s.formError(w, err)
		return
	}
	defer u.release()
	rep, err := s.analyze(r, u)
	if err != nil {
		s.formError(w, err)
		return
	}
	if err := render(w, rep, u.format); err != nil {
		s.formError(w, err)
	}
}

func (s *server) formError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(statusOf(err))
	formPage.Execute(w, formData{Catalog: catalogLabel(s.cat), Error: err.Error(), MaxMB: s.maxUpload >> 20})
}

func (s *server) handleForm(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	formPage.Execute(w, formData{Catalog: catalogLabel(s.cat), MaxMB: s.maxUpload >> 20})
}

type formData struct {
	Catalog string
	Error   string
	MaxMB   int64
}

var formPage = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>covgap</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2em;max-width:46em}label{display:block;margin:.6em 0}
input[type=text]{width:30em}.error{color:#a00;border:1px solid #a00;padding:.5em}</style></head>
<body><h1>covgap</h1>
<p>How much of what threat groups do do your deployed mitigations cover? Upload your inventory
(.xlsx, .csv, .tsv, .json or .yaml, at most {{.MaxMB}} MB) to score it against ATT&amp;CK {{.Catalog}}.
Nothing you upload is kept. <a href="/api/template">Download an inventory template</a>.</p>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
<form method="post" action="/analyze" enctype="multipart/form-data">
<label>Inventory <input type="file" name="inventory" required></label>
<label>Groups (IDs, names or aliases, comma-separated; empty = all) <input type="text" name="groups" placeholder="APT29, G1005"></label>
<label>Or groups whose name, aliases or description contain <input type="text" name="match" placeholder="Israel"></label>
<label>Model <select name="model"><option>max</option><option>mean</option><option>noisy-or</option></select></label>
<label>What-if: treat as implemented <input type="text" name="assume" placeholder="M1032, M1037"></label>
<label><input type="checkbox" name="planned" value="1"> What-if: treat planned mitigations as implemented</label>
<label><input type="checkbox" name="no_campaigns" value="1"> Leave out the techniques of campaigns attributed to a group</label>
<label><input type="checkbox" name="include_software" value="1"> Count the techniques of the groups' software</label>
<label>Recommendations <input type="number" name="top" value="10" min="0" max="1000"></label>
<label>Answer as <select name="format"><option value="html">web page</option><option value="xlsx">Excel workbook</option>
<option value="json">JSON</option><option value="markdown">Markdown</option><option value="csv">CSV</option></select></label>
<button type="submit">Score</button>
</form>
<p><small>API: POST /api/analyze and /api/validate (multipart, field <code>inventory</code>), GET /api/groups, /api/mitigations, /api/template.</small></p>
</body></html>
`))
