// A QR code of a URL (qrcode, drawn as SVG), for a phone's camera.
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

export function QrCode({ text, label }: { text: string; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    QRCode.toString(text, { type: 'svg', margin: 4, errorCorrectionLevel: 'M' }).then((made) => current && setSvg(made));
    return () => {
      current = false;
    };
  }, [text]);
  return svg ? <img className="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={label} /> : null;
}
