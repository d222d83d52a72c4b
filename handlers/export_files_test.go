package handlers_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// readCSV parses a registration list as Excel under Vietnamese regional
// settings does: UTF-8 after a BOM, fields split on ";" (the list
// separator of vi-VN). A comma-separated file would come back as one field
// per line.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV lacks the UTF-8 BOM: %q", data[:min(10, len(data))])
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) == 0 || len(records[0]) < 10 {
		t.Fatalf("CSV does not split into columns on ';': %q", records)
	}
	return records
}

// ageOn is the age on the given day of someone born on y-m-d.
func ageOn(y int, m time.Month, d int, on time.Time) int {
	age := on.Year() - y
	if on.Month() < m || (on.Month() == m && on.Day() < d) {
		age--
	}
	return age
}

// xlsxSheet is the one sheet of an exported XLSX file, read back.
type xlsxSheet struct {
	t    *testing.T
	book *excelize.File
	name string
}

// checkXLSX opens an exported list and checks what a hospital desk sees
// before reading a row: one sheet of the given name, the header in bold
// and frozen, columns wide enough for their headers, a filter over every
// row written.
func checkXLSX(t *testing.T, data []byte, sheetName string, header []string, rows int) *xlsxSheet {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { book.Close() })
	// The registrations come first, the forecast's and the funnel's sheets after.
	if names := book.GetSheetList(); len(names) != 3 || names[0] != sheetName {
		t.Fatalf("XLSX sheets %q, want %q, the forecast and the funnel", names, sheetName)
	}
	s := &xlsxSheet{t: t, book: book, name: sheetName}
	got, err := book.GetRows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != rows {
		t.Fatalf("XLSX has %d rows, want %d", len(got), rows)
	}
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		s.expectText(cell, h)
		if st := s.style(cell); st.Font == nil || !st.Font.Bold {
			t.Errorf("header %s %q is not bold", cell, h)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		width, err := book.GetColWidth(sheetName, col)
		if err != nil {
			t.Fatal(err)
		}
		if need := float64(utf8.RuneCountInString(h)); width < need {
			t.Errorf("column %s is %.1f wide for its header %q", col, width, h)
		}
	}
	if width, _ := book.GetColWidth(sheetName, "B"); width < 25 {
		t.Errorf("the name column is %.1f wide", width)
	}
	panes, err := book.GetPanes(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 {
		t.Errorf("header row not frozen: %+v", panes)
	}
	last, _ := excelize.CoordinatesToCellName(len(header), rows, true)
	filter := false
	for _, dn := range book.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && dn.RefersTo == "'"+sheetName+"'!$A$1:"+last {
			filter = true
		}
	}
	if !filter || !bytes.Contains(sheetXML(t, data), []byte(`<autoFilter ref="$A$1:`+last+`"`)) {
		t.Errorf("no autofilter over A1:%s: %+v", last, book.GetDefinedName())
	}
	return s
}

// sheetXML is the XML of the workbook's first worksheet, where Excel
// looks for the filter's buttons.
func sheetXML(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *xlsxSheet) style(cell string) *excelize.Style {
	s.t.Helper()
	id, err := s.book.GetCellStyle(s.name, cell)
	if err != nil {
		s.t.Fatal(err)
	}
	st, err := s.book.GetStyle(id)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

func (s *xlsxSheet) text(cell string) string {
	s.t.Helper()
	v, err := s.book.GetCellValue(s.name, cell)
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// expectText: the cell is a string cell (never a number that loses a
// phone's leading 0) holding want.
func (s *xlsxSheet) expectText(cell, want string) {
	s.t.Helper()
	typ, err := s.book.GetCellType(s.name, cell)
	if err != nil {
		s.t.Fatal(err)
	}
	if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		s.t.Errorf("%s is of type %v, not text", cell, typ)
	}
	if got := s.text(cell); got != want {
		s.t.Errorf("%s = %q, want %q", cell, got, want)
	}
}

// raw is a cell's stored value and whether it is stored as a number.
func (s *xlsxSheet) raw(cell string) (string, bool) {
	s.t.Helper()
	typ, err := s.book.GetCellType(s.name, cell)
	if err != nil {
		s.t.Fatal(err)
	}
	v, err := s.book.GetCellValue(s.name, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return v, typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && v != ""
}

// expectNumber: the cell is a number, want, shown without decimals.
func (s *xlsxSheet) expectNumber(cell string, want int) {
	s.t.Helper()
	v, isNum := s.raw(cell)
	if !isNum || v != strconv.Itoa(want) {
		s.t.Errorf("%s = %q (number: %v), want the number %d", cell, v, isNum, want)
	}
}

// expectDate: the cell is a date serial number showing want in format.
func (s *xlsxSheet) expectDate(cell, format string, want time.Time) {
	s.t.Helper()
	v, isNum := s.raw(cell)
	serial, err := strconv.ParseFloat(v, 64)
	if !isNum || err != nil {
		s.t.Errorf("%s = %q, not a date serial", cell, v)
		return
	}
	got, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		s.t.Fatal(err)
	}
	if !got.Round(time.Second).Equal(time.Date(want.Year(), want.Month(), want.Day(), want.Hour(), want.Minute(), 0, 0, time.UTC)) {
		s.t.Errorf("%s is the date %v, want %v", cell, got, want)
	}
	if st := s.style(cell); st.CustomNumFmt == nil || !strings.EqualFold(*st.CustomNumFmt, format) {
		s.t.Errorf("%s is shown as %v, want %q", cell, st.CustomNumFmt, format)
	}
}
