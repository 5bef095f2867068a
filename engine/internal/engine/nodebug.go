//go:build !zapdesk_debug

package engine

import (
	"context"
	"errors"
	"flag"

	pb "zapdesk/engine/internal/protocol"
)

const debugCommandsBuilt = false

// RegisterDebugFlags adds nothing: the production program has no test-only flags.
func RegisterDebugFlags(*flag.FlagSet, *Config) {}

func (s *Server) debugCommand(context.Context, string, *pb.Request, *pb.Response) error {
	return errors.New("debug commands are not built into this engine")
}

func (s *Server) listenForDebugCommands(context.Context) error { return nil }
