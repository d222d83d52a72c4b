package bot_test

import (
	"testing"

	"donorbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
