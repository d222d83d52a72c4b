package apispec_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"donorbot/telegramtest"
	"donorbot/telegramtest/apispec"
)

type specDoc struct {
	Version string `json:"version"`
	Methods map[string]struct {
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	} `json:"methods"`
	Types map[string]json.RawMessage `json:"types"`
}

func parseEmbedded(t *testing.T) specDoc {
	t.Helper()
	var doc specDoc
	if err := json.Unmarshal(apispec.JSON, &doc); err != nil {
		t.Fatalf("embedded api.min.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.Version, "Bot API ") || len(doc.Methods) < 100 || len(doc.Types) < 100 {
		t.Fatalf("embedded spec %q has %d methods and %d types: not a whole spec", doc.Version, len(doc.Methods), len(doc.Types))
	}
	return doc
}

// TestEmbeddedSpecCoversWhatTheBotCalls reads the bot's own source (every
// non-test Go file of the module outside telegramtest) and the source of
// go-telegram/bot it is built with, and checks that the embedded spec knows
// every Bot API method the bot calls, every parameter the library can send
// with it, and every Bot API type the bot names. A spec refreshed by
// scripts/update-bot-api-spec.sh that dropped one of them would otherwise
// pass unnoticed until a journey test happened to send it.
func TestEmbeddedSpecCoversWhatTheBotCalls(t *testing.T) {
	doc := parseEmbedded(t)
	// Telegram matches method names regardless of case (the library posts
	// "logout" for logOut).
	methods := map[string][]string{} // lower-cased name -> field names
	for name, m := range doc.Methods {
		fields := []string{}
		for _, f := range m.Fields {
			fields = append(fields, f.Name)
		}
		methods[strings.ToLower(name)] = fields
	}

	lib := libraryMethods(t)
	if len(lib) < 100 {
		t.Fatalf("found only %d methods in go-telegram/bot's source: the parser is out of date", len(lib))
	}
	modelTypes := libraryModelTypes(t)
	calls, types := botUses(t, lib)
	if len(calls) < 10 || len(types) < 5 {
		t.Fatalf("found only %d calls and %d types in the bot's source: the scan is out of date", len(calls), len(types))
	}

	for _, api := range slices.Sorted(maps.Keys(calls)) {
		fields, ok := methods[strings.ToLower(api)]
		if !ok {
			t.Errorf("the bot calls %s (%s) but the embedded spec has no such method", api, calls[api])
			continue
		}
		for _, m := range lib {
			if !strings.EqualFold(m.api, api) {
				continue
			}
			for _, f := range m.params {
				if !slices.Contains(fields, f) {
					t.Errorf("go-telegram/bot can send %s.%s but the embedded spec does not document it", api, f)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(types)) {
		if !modelTypes[name] {
			continue // a Go-only helper of the library (an interface, a constant type)
		}
		specName := name
		if alias, ok := libraryAliases[name]; ok {
			specName = alias
		}
		if _, ok := doc.Types[specName]; !ok {
			t.Errorf("the bot uses models.%s (%s) but the embedded spec has no type %s", name, types[name], specName)
		}
	}
	t.Logf("%s: checked %d methods and %d types the bot uses", doc.Version, len(calls), len(types))
}

// libraryAliases names the spec type behind the library's structs that
// split one Bot API type by how it is sent.
var libraryAliases = map[string]string{
	"InputFileUpload": "InputFile",
	"InputFileString": "InputFile",
}

type libMethod struct {
	api    string   // the Bot API name the library posts to
	params []string // json names of its params struct
}

func libraryDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-telegram/bot").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/go-telegram/bot: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go-telegram/bot is not in the module cache: run go mod download")
	}
	return dir
}

// libraryMethods maps each (b *Bot) method of go-telegram/bot that calls
// rawRequest with a method name to that name and its params' json fields.
func libraryMethods(t *testing.T) map[string]libMethod {
	t.Helper()
	dir := libraryDir(t)
	fset := token.NewFileSet()
	structs := map[string][]string{}
	out := map[string]libMethod{}
	type pending struct{ goName, api, params string }
	var found []pending
	for _, name := range []string{"methods.go", "methods_params.go"} {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							structs[ts.Name.Name] = jsonFields(st)
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || d.Body == nil {
					continue
				}
				p := pending{goName: d.Name.Name}
				for _, prm := range d.Type.Params.List {
					if star, ok := prm.Type.(*ast.StarExpr); ok {
						if id, ok := star.X.(*ast.Ident); ok {
							p.params = id.Name
						}
					}
				}
				ast.Inspect(d.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok || p.api != "" {
						return p.api == ""
					}
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "rawRequest" && len(call.Args) > 1 {
						if lit, ok := call.Args[1].(*ast.BasicLit); ok {
							p.api, _ = strconv.Unquote(lit.Value)
						}
					}
					return true
				})
				if p.api != "" {
					found = append(found, p)
				}
			}
		}
	}
	for _, p := range found {
		out[p.goName] = libMethod{api: p.api, params: structs[p.params]}
	}
	return out
}

func jsonFields(st *ast.StructType) []string {
	var names []string
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// libraryModelTypes lists the struct types of go-telegram/bot/models: the
// ones that mirror a Bot API type.
func libraryModelTypes(t *testing.T) map[string]bool {
	t.Helper()
	types := map[string]bool{}
	dir := filepath.Join(libraryDir(t), "models")
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				if gd, ok := d.(*ast.GenDecl); ok {
					for _, s := range gd.Specs {
						if ts, ok := s.(*ast.TypeSpec); ok {
							if _, ok := ts.Type.(*ast.StructType); ok {
								types[ts.Name.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return types
}

// botUses scans the module's non-test Go files, outside the fake server,
// for calls of library methods (and of the bot's own raw callAPI) and for
// the models types they name; each is mapped to one place it occurs.
func botUses(t *testing.T, lib map[string]libMethod) (calls, types map[string]string) {
	t.Helper()
	root := moduleRoot(t)
	calls, types = map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "telegramtest" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		models := ""
		for _, imp := range f.Imports {
			if imp.Path.Value == `"github.com/go-telegram/bot/models"` {
				models = "models"
				if imp.Name != nil {
					models = imp.Name.Name
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				where := fset.Position(n.Pos()).String()
				if m, ok := lib[sel.Sel.Name]; ok {
					setOnce(calls, m.api, relPos(root, where))
				}
				if sel.Sel.Name == "callAPI" && len(n.Args) > 1 {
					if lit, ok := n.Args[1].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						name, _ := strconv.Unquote(lit.Value)
						setOnce(calls, name, relPos(root, where))
					}
				}
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && models != "" && id.Name == models {
					setOnce(types, n.Sel.Name, relPos(root, fset.Position(n.Pos()).String()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return calls, types
}

func setOnce(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func relPos(root, pos string) string {
	if rel, err := filepath.Rel(root, pos); err == nil {
		return rel
	}
	return pos
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestServerRunsOnEmbeddedSpec starts the fake server with no option about
// the spec, in a working directory outside the repository: it must need
// nothing but the embedded copy.
func TestServerRunsOnEmbeddedSpec(t *testing.T) {
	t.Chdir(t.TempDir())
	srv, err := telegramtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u := telegramtest.User{ID: 1, FirstName: "A"}
	if id := srv.SendText(u, "hi"); id == 0 {
		t.Fatal("SendText returned no update id")
	}
	if got := srv.Conversation(1); len(got) != 1 || got[0].Text != "hi" {
		t.Errorf("conversation = %+v, want the one message", got)
	}
}
