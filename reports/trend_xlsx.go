package reports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/assessment"
)

// Sheet names of the trend workbook.
const (
	SheetTrend       = "Trend"
	SheetTrendGroups = "Groups"
)

// WriteTrendWorkbook writes t as a workbook: Trend (one row per
// assessment: profile score, Δ and the lowest groups, with a line chart of
// them) and Groups (every group's score per assessment, changes coloured).
func WriteTrendWorkbook(w io.Writer, t *assessment.Trend) error {
	b, err := newDeltaBook()
	if err != nil {
		return err
	}
	for _, sheet := range []func(*deltaBook, *assessment.Trend) error{trendSheet, trendGroupsSheet} {
		if err := sheet(b, t); err != nil {
			b.f.Close()
			return fmt.Errorf("trend workbook: %w", err)
		}
	}
	return b.writeTo(w)
}

func trendSheet(b *deltaBook, t *assessment.Trend) error {
	const s = SheetTrend
	low := t.Lowest(trendChartGroups)
	header := []string{"Assessment", "Date", "ATT&CK", "Model", "Groups", "Profile score", "Δ"}
	widths := []float64{14, 12, 9, 10, 8, 12, 8}
	for _, g := range low {
		header = append(header, g.ID+" "+g.Name)
		widths = append(widths, 16)
	}
	if err := b.sheet(s, widths, header...); err != nil {
		return err
	}
	for i, p := range t.Points {
		// Missing values stay empty cells: the chart draws a gap where
		// "n/a" text would be plotted as 0.
		row := []any{p.Label, p.Created.UTC().Format("2006-01-02 15:04 UTC"), p.Version, string(p.Model), p.Groups, nil, nil}
		if p.Score != nil {
			row[5] = p.Score
		}
		if p.Delta != nil {
			row[6] = p.Delta
		}
		for _, g := range low {
			if g.Scores[i] == nil {
				row = append(row, nil) // a gap in the line, not a fall to 0
			} else {
				row = append(row, g.Scores[i])
			}
		}
		if err := b.row(s, i+2, 0, row...); err != nil {
			return err
		}
	}
	last := len(t.Points) + 1
	if len(t.Points) > 0 {
		if err := b.signColours(s, fmt.Sprintf("G2:G%d", last)); err != nil {
			return err
		}
	}
	if len(t.Points) < 2 {
		return nil // one point draws no line
	}
	series := []excelize.ChartSeries{}
	cols := []int{6}
	for i := range low {
		cols = append(cols, 8+i)
	}
	for _, c := range cols {
		col, _ := excelize.ColumnNumberToName(c)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", s, col),
			Categories: fmt.Sprintf("'%s'!$A$2:$A$%d", s, last),
			Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", s, col, col, last),
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 6},
		})
	}
	lo, hi := 0.0, 100.0
	title := "Profile score and the lowest groups"
	anchor, _ := excelize.CoordinatesToCellName(1, last+3)
	return b.f.AddChart(s, anchor, &excelize.Chart{
		Type:         excelize.Line,
		Series:       series,
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
		Format:       excelize.GraphicOptions{AltText: title, Name: "Trend"},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true},
		Dimension:    excelize.ChartDimension{Width: 720, Height: 360},
		ShowBlanksAs: "gap",
	})
}

func trendGroupsSheet(b *deltaBook, t *assessment.Trend) error {
	const s = SheetTrendGroups
	header := []string{"ID", "Group"}
	widths := []float64{10, 30}
	for _, p := range t.Points {
		header = append(header, p.Label, "Δ")
		widths = append(widths, 12, 8)
	}
	if err := b.sheet(s, widths, header...); err != nil {
		return err
	}
	r := 2
	for _, g := range t.Groups {
		row := []any{xlID(g.ID), g.Name}
		for i := range t.Points {
			var d any
			if g.Deltas[i] != nil {
				d = g.Deltas[i]
			}
			row = append(row, g.Scores[i], d)
		}
		if err := b.row(s, r, 0, row...); err != nil {
			return err
		}
		r++
	}
	for i := 1; i < len(t.Points) && r > 2; i++ {
		col, _ := excelize.ColumnNumberToName(4 + 2*i)
		if err := b.signColours(s, fmt.Sprintf("%s2:%s%d", col, col, r-1)); err != nil {
			return err
		}
	}
	return b.filter(s, len(header), r-1)
}
