package engine

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, pure Go
	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite" // SQLite, pure Go: the build needs no C compiler
)

// OpenStore opens whatsmeow's session store in zapdesk's own database and brings its tables up to date.
//
// location is "postgres://…" (or "postgresql://…") or "sqlite:<path>". SQLite gets the pragmas zapdesk's own
// connections use (WAL, a 30 s busy timeout) and takes its write lock when a transaction begins, so the two
// programs writing one file wait for each other instead of failing.
func OpenStore(ctx context.Context, location string, log waLog.Logger) (*sqlstore.Container, error) {
	driver, dialect, dsn, err := storeDSN(location)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the session store: %w", err)
	}
	if dialect == "sqlite3" {
		db.SetMaxOpenConns(4)
	}
	container := sqlstore.NewWithDB(db, dialect, log)
	if err := container.Upgrade(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("preparing the session store: %w", err)
	}
	return container, nil
}

func storeDSN(location string) (driver, dialect, dsn string, err error) {
	switch {
	case strings.HasPrefix(location, "postgres://"), strings.HasPrefix(location, "postgresql://"):
		return "pgx", "postgres", location, nil
	case strings.HasPrefix(location, "sqlite:"):
		path := strings.TrimPrefix(location, "sqlite:")
		if path == "" {
			return "", "", "", fmt.Errorf("no SQLite path in %q", location)
		}
		query := url.Values{}
		for _, pragma := range []string{"foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(30000)"} {
			query.Add("_pragma", pragma)
		}
		query.Set("_txlock", "immediate")
		return "sqlite", "sqlite3", "file:" + path + "?" + query.Encode(), nil
	}
	return "", "", "", fmt.Errorf("the session store must be a postgres:// URL or sqlite:<path>, not %q", location)
}
