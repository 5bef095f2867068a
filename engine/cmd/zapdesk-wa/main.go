// zapdesk-wa: zapdesk's WhatsApp engine program. One runs beside each zapdesk worker, holds that worker's
// whatsmeow sessions, and speaks zapdesk's engine protocol (proto/zapdesk_engine.proto) over the socket the
// worker hands it as a file descriptor. It exits when the worker closes that socket.
//
// The session store's location comes from the environment (ZAPDESK_WA_DATABASE), so no password shows in ps.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"time"

	waLog "go.mau.fi/whatsmeow/util/log"

	"zapdesk/engine/internal/engine"
)

func main() {
	cfg := engine.Config{}
	flags := flag.NewFlagSet("zapdesk-wa", flag.ExitOnError)
	fd := flags.Int("fd", 3, "file descriptor of the socket to the worker")
	logLevel := flags.String("log-level", "WARN", "DEBUG, INFO, WARN or ERROR")
	flags.DurationVar(&cfg.VerdictTimeout, "verdict-timeout", 60*time.Second, "how long a message waits for the worker's commit")
	engine.RegisterDebugFlags(flags, &cfg)
	_ = flags.Parse(os.Args[1:])

	cfg.Log = waLog.Stdout("zapdesk-wa", *logLevel, false)
	cfg.Version = version()
	if err := run(cfg, *fd); err != nil {
		fmt.Fprintln(os.Stderr, "zapdesk-wa:", err)
		os.Exit(1)
	}
}

func run(cfg engine.Config, fd int) error {
	ctx := context.Background()
	location := os.Getenv("ZAPDESK_WA_DATABASE")
	if location == "" {
		return fmt.Errorf("ZAPDESK_WA_DATABASE is not set")
	}
	file := os.NewFile(uintptr(fd), "worker-socket")
	if file == nil {
		return fmt.Errorf("file descriptor %d is not open", fd)
	}
	conn, err := net.FileConn(file)
	_ = file.Close()
	if err != nil {
		return fmt.Errorf("file descriptor %d is not a socket: %w", fd, err)
	}
	store, err := engine.OpenStore(ctx, location, cfg.Log.Sub("store"))
	if err != nil {
		return err
	}
	defer store.Close()
	return engine.NewServer(cfg, store, conn).Serve(ctx)
}

// version names the whatsmeow this program was built with.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == "go.mau.fi/whatsmeow" {
			return "whatsmeow " + dep.Version
		}
	}
	return "unknown"
}
