package attack

import (
	"errors"
	"strings"
	"testing"
)

func TestFindGroup(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		ref     string
		want    string // group ID; "" for an error
		via     string // ID of the retired group followed, if any
		suggest string // first suggestion on error
	}{
		{"G0016", "G0016", "", ""},
		{"g0016", "G0016", "", ""},
		{"APT29", "G0016", "", ""},
		{"apt29", "G0016", "", ""},
		{"Cozy Bear", "G0016", "", ""},
		{"  midnight   BLIZZARD ", "G0016", "", ""},
		{"UNC2452", "G0016", "", ""}, // an active alias wins over the revoked group of that name
		{"G0118", "G0016", "G0118", ""},
		{"polonium", "G1005", "", ""},
		{"Plaid Rain", "G1005", "", ""},
		{"APT-29", "", "", "APT29 G0016"},
		{"Polonim", "", "", "POLONIUM G1005"},
		{"G0014", "", "", ""}, // deprecated: an error naming it
		{"no such group at all", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			r, err := c.FindGroup(tt.ref)
			if tt.want == "" {
				var le *LookupError
				if !errors.As(err, &le) {
					t.Fatalf("got %v, %v; want a *LookupError", r.Value, err)
				}
				if tt.suggest != "" && (len(le.Suggestions) == 0 || le.Suggestions[0] != tt.suggest) {
					t.Errorf("suggestions %v, want %q first", le.Suggestions, tt.suggest)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Value.ID != tt.want {
				t.Errorf("got %s, want %s", r.Value.ID, tt.want)
			}
			if via := ""; r.Via != nil {
				via = r.Via.ID
				if via != tt.via {
					t.Errorf("via %s, want %s", via, tt.via)
				}
			} else if tt.via != "" {
				t.Errorf("via nothing, want %s", tt.via)
			}
		})
	}
}

func TestFindMitigation(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		ref        string
		want       string
		deprecated bool   // error names a deprecated object
		suggest    string // prefix of the first suggestion
	}{
		{"M1032", "M1032", false, ""},
		{" m1032 ", "M1032", false, ""},
		{"Multi-factor Authentication", "M1032", false, ""},
		{"multi-factor authentication", "M1032", false, ""},
		{"Multi-factor Authentification", "", false, "M1032"},
		{"M1O32", "", false, "M1032"},
		{"Password Filter DLL Mitigation", "", true, ""},
		{"T1174", "", true, ""},
		{"M9999", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			r, err := c.FindMitigation(tt.ref)
			if tt.want != "" {
				if err != nil || r.Value.ID != tt.want {
					t.Fatalf("got %v, %v; want %s", r.Value, err, tt.want)
				}
				return
			}
			var le *LookupError
			if !errors.As(err, &le) {
				t.Fatalf("got %v; want a *LookupError", err)
			}
			if tt.deprecated != (le.Retired != nil && le.Retired.Deprecated) {
				t.Errorf("retired %+v, want deprecated=%v", le.Retired, tt.deprecated)
			}
			if tt.deprecated && !strings.Contains(err.Error(), "deprecated in ATT&CK 18.1") {
				t.Errorf("message %q should say it is deprecated", err)
			}
			if tt.suggest != "" && (len(le.Suggestions) == 0 || !strings.HasPrefix(le.Suggestions[0], tt.suggest)) {
				t.Errorf("suggestions %v, want one beginning %q first", le.Suggestions, tt.suggest)
			}
		})
	}
}

func TestFindTechnique(t *testing.T) {
	c := loadFixture(t)
	tests := []struct {
		ref  string
		want string
		via  string
	}{
		{"T1078", "T1078", ""},
		{"t1078.004", "T1078.004", ""},
		{"T1078/004", "T1078.004", ""},
		{"Valid Accounts", "T1078", ""},
		{"valid accounts", "T1078", ""},
		{"T1172", "T1090.004", "T1172"}, // revoked, followed
		{"Domain Fronting", "T1090.004", ""},
		{"T1153", "", ""}, // deprecated
		{"T9999", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			r, err := c.FindTechnique(tt.ref)
			if tt.want == "" {
				var le *LookupError
				if !errors.As(err, &le) {
					t.Fatalf("got %v; want a *LookupError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Value.ID != tt.want {
				t.Errorf("got %s, want %s", r.Value.ID, tt.want)
			}
			if (r.Via != nil) != (tt.via != "") || r.Via != nil && r.Via.ID != tt.via {
				t.Errorf("via %+v, want %q", r.Via, tt.via)
			}
		})
	}
}

func TestFindOnEmbedded(t *testing.T) {
	c, err := Embedded(Enterprise)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindGroup("APT-29"); err == nil || !strings.Contains(err.Error(), "APT29 G0016") {
		t.Errorf("APT-29: %v", err)
	}
	if r, err := c.FindMitigation("Pre-compromise"); err != nil || r.Value.ID != PreCompromise {
		t.Errorf("Pre-compromise: %v %v", r.Value, err)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"APT29", "apt29"},
		{"apt29", "apt29"},
		{"  Midnight   Blizzard ", "midnight blizzard"},
		{"Cozy\tBear", "cozy bear"},
		{"Cozy Bear ", "cozy bear"},
		{"ÉQUIPE Rouge", "équipe rouge"},
		{"Équipe\u00a0 Rouge", "équipe rouge"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
