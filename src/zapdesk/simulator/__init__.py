"""A fake WhatsApp network for demos, tests and newcomers without a spare phone.

The `simulator` engine is a client of it, exactly as neonize is a client of WhatsApp: it links over a WebSocket,
shows the rotating QR codes the network hands out, and receives what phones send while it is connected — or later,
since the network keeps everything a device has not acknowledged. State lives in the simulator's own SQLite file.
Run it standalone with `zapdesk simulator --port N [--state FILE]`, or let `zapdesk run` mount it at `/simulator`
(outside production). Timings come from `SIMULATOR_QR_FIRST_SECONDS` (60), `SIMULATOR_QR_NEXT_SECONDS` (20),
`SIMULATOR_QR_CODES` (6), `SIMULATOR_RECEIPT_DELAY_SECONDS` (0.5) and the file from `SIMULATOR_STATE_FILE`.

Phone numbers are international digits (`5511999990001`; `+`, spaces and dashes are ignored). Errors are JSON
`{"detail", "code"}` with a 4xx status. Paths below are relative to the simulator (`/simulator` when mounted).

**Linking a business phone**

- `GET /api/sessions` → `{waiting: [{window, code, expires_at, codes_left, pairing_phone, pairing_code}],
  phones: [{phone, status: online|offline|logged_out, linked_at, queued}]}`: devices showing a QR code now.
- `POST /api/scan {code, phone}` → `{phone}`: the business phone scans the QR code a device shows now.
  An older code of the window → 410 `expired`; a code nobody shows → 404 `unknown_code`.
- `POST /api/pair {pairing_code, phone}` → `{phone}`: the phone types the pairing code (`ABCD-EFGH`) a device
  asked for that number; another number → 403 `phone_mismatch`.

**Phones writing** — `POST /api/messages` → `{id, duplicate}`:
`{from, to, kind?, id?, name?, text?, media?: {kind?, mime, file_name?, data_base64, seconds?},
location?: {latitude, longitude, name?, address?}, contact?: {display_name, phone?, vcard?},
reaction?: {target_id, emoji}, target_id?, quoted_id?, group?: {id, name?}, as_lid?, from_me?, unsupported?}`.
`kind` (inferred when omitted) is one of `text`, `image`, `audio`, `voice` (a voice note), `video`, `document`,
`sticker`, `location`, `contact`, `reaction`, `edit` (needs `target_id` + `text`), `revoke` (needs `target_id`),
`unsupported` (`unsupported` names the protocol type, default `pollCreationMessage`). A customer `from` writes to
the business `to`; with `from_me` the business phone `from` typed it to the customer `to` (the device gets it
with `from_me`); `group` writes inside that group; `as_lid` makes the customer arrive as a `@lid` address with the
phone in `sender_alt`. Giving an `id` already used by `from` delivers that message again (a duplicate delivery).

**Customer phones** (always online: business messages are delivered `SIMULATOR_RECEIPT_DELAY_SECONDS` after sent)

- `GET /api/phones/{phone}/messages?business=&include_sent=false` → `{items: [{id, from, to, chat, mine, kind,
  text, body, quoted_id, state: sent|delivered|read, timestamp (ms), edited, revoked}], typing: [business numbers]}`.
- `POST /api/phones/{phone}/read {ids}` → `{read: [ids]}`: the customer reads; the device gets a read receipt.
- `PUT /api/phones/{phone}/picture {mime, data_base64}` (and `DELETE`): the picture others see of this phone.
- `GET /api/media/{key}`: media bytes (`body.url` of a media message).

**Faults** on a business phone's device: `POST /api/sessions/{phone}/drop {offline_seconds?}` (the link is cut;
the device reconnects by itself, refused for `offline_seconds`), `.../logout` (the phone unlinks the device: its
session stops working), `.../replace` (the same session opens elsewhere: the device is told `replaced`).

**The device link** (what `zapdesk.engine.simulator` speaks; frames in `protocol.py`): WebSocket `/api/link`,
client says `hello {session?, pairing_phone?}`; the network answers `qr`/`pairing_code`/`qr_expired` or
`connected {phone, session}`, then streams `event {seq, event}` (message, receipt, edit, revoke) which the client
acknowledges with `ack {seq}` once stored — unacknowledged events are sent again on the next link; `logged_out` and
`replaced` end it. With `Authorization: Bearer <session>`: `POST /api/link/media` (multipart `file`) → `{key}`,
`POST /api/link/messages {id, chat, text, media?: {key, kind, mime, file_name?, seconds?}, quoted_id?, reaction?,
forwarded?, edit?: {target_id, text}, revoke?: target_id}` → `{id, timestamp}` (the same id twice is stored once;
an edit or revoke changes our own message `target_id`), `GET /api/link/picture?chat=` (a profile picture),
`POST /api/link/read {chat, ids}`,
`POST /api/link/presence {chat, typing}`, `POST /api/link/logout`.

The page at `/` lets a person play the phones in a browser.
"""
