package server

import (
	"testing"

	"github.com/heraldhq/herald/internal/testdb"
)

// TestMain ends the run with a summary of the tests skipped for something
// missing (PostgreSQL, mailpit, Alertmanager, Chromium) and how to get it.
func TestMain(m *testing.M) { testdb.Main(m) }
