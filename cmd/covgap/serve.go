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
	slots     chan struct{} // bounds concurrent analyses: a workbook costs tens of MB
	now       func() time.Time
}

func newServer(cat *attack.Catalog, maxUpload int64, parallel int) *server {
	return &server{cat: cat, maxUpload: maxUpload, slots: make(chan struct{}, parallel), now: time.Now}
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
	mux.HandleFunc("POST /analyze", s.handleAnalyzeForm)
	mux.HandleFunc("POST /api/analyze", s.handleAnalyzeAPI)
	mux.HandleFunc("POST /api/validate", s.handleValidate)
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
	inv    *inventory.Inventory
	req    analyzer.Options
	groups []string
	match  string
	format string
}

// readUpload reads the multipart form: the inventory file and the same
// choices the analyze command's flags make.
func (s *server) readUpload(w http.ResponseWriter, r *http.Request, defaultFormat string) (*upload, error) {
	// The form fields and multipart framing add a little to the file.
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &httpError{http.StatusRequestEntityTooLarge,
				fmt.Errorf("the upload is larger than the %d bytes this server accepts", s.maxUpload)}
		}
		return nil, badRequest("expected a multipart form with an 'inventory' file: %v", err)
	}
	f, hdr, err := r.FormFile("inventory")
	if err != nil {
		return nil, badRequest("expected a multipart form with an 'inventory' file: %v", err)
	}
	defer f.Close()
	if hdr.Size > s.maxUpload {
		return nil, &httpError{http.StatusRequestEntityTooLarge,
			fmt.Errorf("%s is %d bytes, larger than the %d bytes this server accepts", hdr.Filename, hdr.Size, s.maxUpload)}
	}
	u := &upload{format: defaultFormat}
	if v := r.FormValue("format"); v != "" {
		u.format = strings.ToLower(v)
	}
	switch u.format {
	case "html", "json", "xlsx", "csv", "markdown", "md":
	default:
		return nil, badRequest("format %q: want html, json, xlsx, csv or markdown", u.format)
	}
	model := analyzer.Model(strings.ToLower(r.FormValue("model")))
	switch model {
	case "":
		model = analyzer.ModelMax
	case analyzer.ModelMax, analyzer.ModelMean, analyzer.ModelNoisyOr:
	default:
		return nil, badRequest("model %q: want max, mean or noisy-or", model)
	}
	top := 10
	if v := r.FormValue("top"); v != "" {
		if top, err = strconv.Atoi(v); err != nil || top < 0 || top > 1000 {
			return nil, badRequest("top %q: want a whole number from 0 to 1000", v)
		}
	}
	u.req = analyzer.Options{Model: model, Top: top, Assume: splitList(r.FormValue("assume")),
		Planned: isTrue(r.FormValue("planned")),
		Uses:    attack.UseOptions{Campaigns: !isTrue(r.FormValue("no_campaigns")), Software: isTrue(r.FormValue("include_software"))}}
	u.groups = splitList(r.FormValue("groups"))
	u.match = strings.TrimSpace(r.FormValue("match"))

	// The client names the file; keep only a short base name for messages.
	name := path.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "inventory"
	}
	if rs := []rune(name); len(rs) > 100 {
		name = string(rs[:100])
	}
	u.inv, err = inventory.Read(f, name, s.cat, inventory.Options{Sheet: r.FormValue("sheet"), MaxSize: s.maxUpload})
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

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// analyze scores an upload, holding one of the server's slots.
func (s *server) analyze(r *http.Request, u *upload) (*reports.Report, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		return nil, &httpError{http.StatusServiceUnavailable, errors.New("busy with other analyses; retry in a few seconds")}
	}
	p, err := buildProfile(s.cat, u.groups, u.match, nil)
	if err != nil {
		return nil, badRequest("%v", err)
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
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *server) handleAnalyzeAPI(w http.ResponseWriter, r *http.Request) {
	u, err := s.readUpload(w, r, "json")
	if err != nil {
		jsonError(w, err)
		return
	}
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
