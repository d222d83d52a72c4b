package webapp

import (
	"embed"
	"io/fs"
)

//go:embed web
var web embed.FS

// Files are the console's page, scripts and styles, served under /console/.
func Files() fs.FS {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}
