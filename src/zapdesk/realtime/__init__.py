"""Real time: the Socket.IO server, its token handshake, rooms, and publishing committed events to them."""
