package protocol

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
)

// MaxFrameBytes bounds one frame: a media upload or download travels whole in one.
const MaxFrameBytes = 256 << 20

// ReadFrame reads one length-prefixed frame into m. io.EOF means the other side closed between frames.
func ReadFrame(r *bufio.Reader, m proto.Message) error {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(header[:])
	if size > MaxFrameBytes {
		return fmt.Errorf("frame of %d bytes is over the %d-byte limit", size, MaxFrameBytes)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("frame cut short: %w", err)
	}
	return proto.Unmarshal(body, m)
}

// AppendFrame appends m as one length-prefixed frame to buf.
func AppendFrame(buf []byte, m proto.Message) ([]byte, error) {
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf, err := proto.MarshalOptions{}.MarshalAppend(buf, m)
	if err != nil {
		return buf[:start], err
	}
	size := len(buf) - start - 4
	if size > MaxFrameBytes {
		return buf[:start], fmt.Errorf("frame of %d bytes is over the %d-byte limit", size, MaxFrameBytes)
	}
	binary.BigEndian.PutUint32(buf[start:], uint32(size))
	return buf, nil
}
