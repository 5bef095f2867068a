"""Voice notes: what a browser records (WebM/Opus in Chromium, MP4/AAC in Safari, or a WAV) converted to what
WhatsApp plays as a voice note: OGG/Opus, mono, 48 kHz. PyAV decodes and encodes with the FFmpeg libraries its
wheel ships, so there is nothing to install by hand."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import av
from av.audio.resampler import AudioResampler

from zapdesk.errors import Invalid

VOICE_MIME = "audio/ogg; codecs=opus"
_RATE = 48_000
# Speech at this bit rate is clear and a minute weighs about 120 kB, as WhatsApp's own voice notes do.
_BIT_RATE = 16_000


@dataclass(frozen=True, slots=True)
class VoiceNote:
    data: bytes
    seconds: int


def to_voice_note(recording: bytes) -> VoiceNote:
    """The recording as OGG/Opus with its duration (whole seconds, at least 1); `not_audio` when it holds none.

    CPU-bound: call it in a thread.
    """
    try:
        return _convert(recording)
    except (av.FFmpegError, StopIteration, ValueError) as exc:
        raise Invalid("The file is not an audio recording.", code="not_audio") from exc


def _convert(recording: bytes) -> VoiceNote:
    output = io.BytesIO()
    samples = 0
    with av.open(io.BytesIO(recording), mode="r") as source, av.open(output, mode="w", format="ogg") as target:
        if not source.streams.audio:
            raise ValueError("no audio stream")
        stream = target.add_stream("libopus", rate=_RATE, layout="mono")
        stream.bit_rate = _BIT_RATE
        resampler = AudioResampler(format="s16", layout="mono", rate=_RATE)
        for frame in source.decode(audio=0):
            for converted in resampler.resample(frame):
                samples += converted.samples
                target.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            samples += converted.samples
            target.mux(stream.encode(converted))
        target.mux(stream.encode(None))
    if samples == 0:
        raise ValueError("no audio samples")
    return VoiceNote(data=output.getvalue(), seconds=max(1, math.ceil(samples / _RATE)))
