import { useI18n } from "../i18n/I18nProvider";
import { Modal } from "../ui/Modal";

export function ImageViewer({ src, onClose }: { src: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal title={t("chat.image")} onClose={onClose} testId="image-viewer" wide>
      <img src={src} alt={t("chat.image")} className="viewer-image" />
    </Modal>
  );
}
