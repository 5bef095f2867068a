// Recording a voice note: the microphone button starts MediaRecorder; while it runs a timer and the voice's level
// show, and it can be cancelled or sent (the server converts it to OGG/Opus for WhatsApp).
import { useEffect, useRef, useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { Icon } from "../ui/Icon";

interface Recording {
  recorder: MediaRecorder;
  stream: MediaStream;
  chunks: Blob[];
  startedAt: number;
  analyser: AnalyserNode;
  audio: AudioContext;
}

export function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
}

export function VoiceRecorder({ onRecorded }: { onRecorded: (file: File) => void }) {
  const { t } = useI18n();
  const [recording, setRecording] = useState<Recording | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [level, setLevel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const keep = useRef(false);

  useEffect(() => {
    if (!recording) return;
    const samples = new Uint8Array(recording.analyser.fftSize);
    const timer = window.setInterval(() => {
      setElapsed((Date.now() - recording.startedAt) / 1000);
      recording.analyser.getByteTimeDomainData(samples);
      setLevel(Math.min(1, samples.reduce((peak, value) => Math.max(peak, Math.abs(value - 128)), 0) / 64));
    }, 100);
    return () => window.clearInterval(timer);
  }, [recording]);

  const start = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const recorder = new MediaRecorder(stream);
      const audio = new AudioContext();
      const analyser = audio.createAnalyser();
      audio.createMediaStreamSource(stream).connect(analyser);
      const current: Recording = { recorder, stream, chunks: [], startedAt: Date.now(), analyser, audio };
      recorder.ondataavailable = (event) => current.chunks.push(event.data);
      recorder.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        void audio.close();
        if (keep.current) {
          const type = recorder.mimeType || "audio/webm";
          onRecorded(new File(current.chunks, `voice.${type.includes("mp4") ? "m4a" : "webm"}`, { type }));
        }
      };
      recorder.start();
      setElapsed(0);
      setRecording(current);
    } catch {
      setError(t("chat.microphoneUnavailable"));
    }
  };

  const stop = (send: boolean) => {
    keep.current = send;
    recording?.recorder.stop();
    setRecording(null);
  };

  if (!recording) {
    return (
      <>
        <button type="button" className="icon-button" onClick={() => void start()} aria-label={t("chat.recordVoice")} title={t("chat.recordVoice")} data-testid="record-button">
          <Icon name="mic" />
        </button>
        {error && (
          <small className="field-error" role="alert">
            {error}
          </small>
        )}
      </>
    );
  }
  return (
    <div className="voice-recording" data-testid="voice-recording">
      <button type="button" className="icon-button" onClick={() => stop(false)} aria-label={t("chat.cancelVoice")} data-testid="cancel-voice">
        <Icon name="close" />
      </button>
      <span className="voice-dot" aria-hidden="true" />
      <time data-testid="voice-timer">{clock(elapsed)}</time>
      <span className="voice-level" aria-hidden="true">
        <span style={{ transform: `scaleX(${Math.max(0.05, level)})` }} />
      </span>
      <button type="button" className="button primary" onClick={() => stop(true)} data-testid="send-voice">
        {t("chat.send")}
      </button>
    </div>
  );
}
