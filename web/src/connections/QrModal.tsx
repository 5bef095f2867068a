// "Ver QR Code": the live QR (replaced as codes rotate) with a countdown and the spec's four steps, or a
// pairing code for a phone number. Closes by itself once the phone is linked.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { connections, type PairingCode } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Connection, QrCode } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { errorMessage } from "../ui/errors";
import { Field } from "../ui/Field";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/Spinner";

function useSecondsLeft(expiresAt: string | null | undefined): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  if (!expiresAt) return null;
  return Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000));
}

function QrTab({ connection }: { connection: Connection }) {
  const { t } = useI18n();
  const qr = useQuery({
    queryKey: keys.qr(connection.id),
    queryFn: () =>
      connections.qr(connection.id).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === "no_qr_code") return null; // no code yet
        throw error;
      }),
    // Socket events bring each new code; polling covers a socket that is still (re)connecting.
    refetchInterval: connection.status === "QR" || connection.status === "STARTING" ? 5000 : false,
    staleTime: 0,
  });
  const seconds = useSecondsLeft(qr.data?.expires_at);
  const steps = [t("qr.step1"), t("qr.step2"), t("qr.step3"), t("qr.step4")];
  const expired = connection.status === "QR_EXPIRED";
  const code: QrCode | null | undefined = expired ? null : qr.data;
  return (
    <div className="qr-tab">
      <ol className="qr-steps" data-testid="qr-steps">
        {steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <div className="qr-box">
        {expired ? (
          <p className="notice">{t("qr.expired")}</p>
        ) : code ? (
          <>
            <img src={code.image} alt={t("qr.image")} className="qr-image" data-testid="qr-image" data-code={code.code} />
            {seconds !== null && (
              <small className="qr-countdown" data-testid="qr-countdown">
                {t("qr.expiresIn", { seconds })}
              </small>
            )}
          </>
        ) : (
          <Spinner label={t("qr.waiting")} />
        )}
      </div>
    </div>
  );
}

function PhoneTab({ connection }: { connection: Connection }) {
  const i18n = useI18n();
  const { t } = i18n;
  const client = useQueryClient();
  const [phone, setPhone] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  const code = useQuery<PairingCode | null>({ queryKey: keys.pairing(connection.id), queryFn: () => null, enabled: false });
  const seconds = useSecondsLeft(code.data?.expires_at);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    client.setQueryData(keys.pairing(connection.id), null);
    try {
      await connections.connect(connection.id, phone.replace(/\D/g, ""));
      setAsked(true);
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    }
  };

  const value = code.data?.code ?? "";
  const shown = value.length === 8 ? `${value.slice(0, 4)}-${value.slice(4)}` : value;
  return (
    <div className="phone-tab">
      <form className="form" onSubmit={onSubmit}>
        <Field label={t("qr.phoneLabel")} error={error ?? undefined}>
          {(props) => (
            <input {...props} inputMode="tel" placeholder={t("qr.phonePlaceholder")} value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="pairing-phone" />
          )}
        </Field>
        <button type="submit" className="button primary" disabled={!phone.trim()} data-testid="pairing-submit">
          {t("qr.phoneSubmit")}
        </button>
      </form>
      {asked && (
        <div className="pairing">
          <ol className="qr-steps">
            <li>{t("qr.pairingStep1")}</li>
            <li>{t("qr.pairingStep2")}</li>
          </ol>
          {value ? (
            <>
              <output className="pairing-code" data-testid="pairing-code">
                {shown}
              </output>
              {seconds !== null && <small className="qr-countdown">{t("qr.expiresIn", { seconds })}</small>}
            </>
          ) : (
            <Spinner label={t("common.loading")} />
          )}
        </div>
      )}
    </div>
  );
}

export function QrModal({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<"qr" | "phone">("qr");
  const connected = connection.status === "CONNECTED";
  useEffect(() => {
    if (!connected) return;
    const timer = window.setTimeout(onClose, 600);
    return () => window.clearTimeout(timer);
  }, [connected, onClose]);

  return (
    <Modal title={t("qr.title", { name: connection.name })} onClose={onClose} testId="qr-modal">
      {connected ? (
        <p className="qr-connected" data-testid="qr-connected">
          ✅ {t("qr.connected")}
        </p>
      ) : (
        <>
          <div role="tablist" className="tabs">
            <button type="button" role="tab" aria-selected={tab === "qr"} className={tab === "qr" ? "tab active" : "tab"} onClick={() => setTab("qr")} data-testid="qr-tab-qr">
              {t("qr.tabQr")}
            </button>
            <button type="button" role="tab" aria-selected={tab === "phone"} className={tab === "phone" ? "tab active" : "tab"} onClick={() => setTab("phone")} data-testid="qr-tab-phone">
              {t("qr.tabPhone")}
            </button>
          </div>
          {tab === "qr" ? <QrTab connection={connection} /> : <PhoneTab connection={connection} />}
        </>
      )}
    </Modal>
  );
}
