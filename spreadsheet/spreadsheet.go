// Package spreadsheet holds the rules a registration list must follow to
// open as it is at a hospital desk, in Excel under Vietnamese regional
// settings: the name of a sheet, the CSV dialect, and cells a spreadsheet
// would run as formulas.
package spreadsheet

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// MaxSheetName is Excel's limit on a sheet's name, in UTF-16 code units
// (Excel counts those; an emoji takes two).
const MaxSheetName = 31

// SheetName names a drive's sheet: its date first (dd.mm.yyyy: "/" is
// forbidden in sheet names), so that cutting a long title never loses the
// day, then as much of the title as fits. Excel refuses : \ / ? * [ ], a
// leading or trailing apostrophe and more than 31 characters; such
// characters become spaces and the title is cut between letters, never
// between a letter and its accents.
func SheetName(title string, day time.Time) string {
	name := day.Format("02.01.2006")
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, norm.NFC.String(title))
	clean = strings.Join(strings.Fields(clean), " ")
	if clean == "" {
		return name
	}
	name += " "
	units := len(utf16.Encode([]rune(name)))
	var b strings.Builder
	b.WriteString(name)
	pending := "" // a letter with its marks, written once it fits whole
	pendingN := 0 // its UTF-16 units
	flush := func() bool {
		if units+pendingN > MaxSheetName {
			return false
		}
		b.WriteString(pending)
		units += pendingN
		pending, pendingN = "", 0
		return true
	}
	for _, r := range clean {
		if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) && pending != "" {
			if !flush() {
				break
			}
		}
		pending += string(r)
		pendingN += utf16.RuneLen(r)
	}
	if pending != "" {
		flush()
	}
	return strings.TrimRight(b.String(), " ")
}

// CSVSeparator is the field separator of the CSV files. Excel splits a CSV
// it opens on the list separator of the Windows regional settings, which
// is ";" for vi-VN (its decimal symbol being ","), so a comma-separated
// file opens in a single column there. A "sep=;" first line would tell
// Excel too, but Excel then ignores the UTF-8 BOM and garbles every
// Vietnamese letter, so the files carry the BOM and use ";" (LibreOffice
// and Google Sheets detect both). Numbers in the file are whole, so the
// decimal comma never meets the separator.
const CSVSeparator = ';'

// BOM opens every CSV file: without it Excel reads UTF-8 as the ANSI code
// page and "Nguyễn" arrives as "Nguyá»…n".
const BOM = "\ufeff"

// DefuseFormula defuses a CSV cell a spreadsheet would run as a formula
// (OWASP "CSV injection"): a leading = + - @ tab or carriage return gets a
// quote mark, which Excel shows as text.
func DefuseFormula(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
