import { useEffect, useState } from 'preact/hooks';

/** A QR code rendered locally (qrcode → data: URL image); the secret never leaves the page. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('qrcode').then(async (QR) => {
      const url = await QR.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 220 });
      if (live) setSrc(url);
    });
    return () => {
      live = false;
    };
  }, [text]);
  return src ? <img class="qr" src={src} alt={label} width={220} height={220} /> : <div class="qr qr-loading" aria-busy="true" />;
}
