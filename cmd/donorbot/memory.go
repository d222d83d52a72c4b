package main

import (
	"runtime"
	"runtime/debug"
)

// releaseStartupMemory returns start-up's garbage to the OS before serve
// takes traffic. Applying migrations, parsing the locale files and
// connecting allocate several times the live heap; the next collection waits
// for the heap to double, and the background scavenger keeps what lies under
// that goal, so an idle process would hold the garbage. It runs here rather
// than in bot.App.Run because tests start an App each, in processes whose
// heaps are far larger than a bot's.
func releaseStartupMemory() {
	// goose keeps its 4 MiB scan buffers in a sync.Pool, which survives one
	// collection in its victim cache: the second one frees them.
	runtime.GC()
	debug.FreeOSMemory()
}
