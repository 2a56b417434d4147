/**
 * Reads a trace code by the phone camera where the browser allows (BarcodeDetector; otherwise jsQR on video frames,
 * loaded only when needed), with typing as the fallback that always works. Calls `onCode` with the decoded text;
 * a scanned URL (https://…/t/CODE or a GS1 Digital Link) is passed on as scanned; `extractCode` pulls the code out.
 */
import { useEffect, useRef, useState } from 'react';
import { useI18n } from './i18n.tsx';
import { Button, Field } from './ui.tsx';

/** The trace code inside a scanned value: `/t/{code}` URLs give the code; anything else is returned trimmed. */
export function extractCode(scanned: string): string {
  const s = scanned.trim();
  const m = /\/t\/([^/?#\s]+)/.exec(s);
  return m ? decodeURIComponent(m[1]) : s;
}

type Detector = { detect(src: CanvasImageSource): Promise<Array<{ rawValue: string }>> };

export function CodeScanner({ onCode, label }: { onCode: (value: string) => void; label?: string }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [camera, setCamera] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (!camera) return;
    let stop = false;
    let stream: MediaStream | undefined;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        const v = video.current!;
        v.srcObject = stream;
        await v.play();
        const BD = (window as unknown as { BarcodeDetector?: new (o: object) => Detector }).BarcodeDetector;
        const detector: Detector | null = BD ? new BD({ formats: ['qr_code', 'data_matrix', 'code_128', 'ean_13'] }) : null;
        const jsQR = detector ? null : (await import('jsqr')).default;
        const canvas = document.createElement('canvas');
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        while (!stop) {
          let found: string | undefined;
          if (detector) {
            found = (await detector.detect(v))[0]?.rawValue;
          } else if (jsQR && v.videoWidth) {
            canvas.width = v.videoWidth; canvas.height = v.videoHeight;
            ctx.drawImage(v, 0, 0);
            found = jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height)?.data;
          }
          if (found) { onCode(found); setCamera(false); break; }
          await new Promise((r) => setTimeout(r, 250));
        }
      } catch {
        setError(t('无法使用摄像头，请手动输入追溯码', 'The camera is not available; please type the code'));
        setCamera(false);
      }
    })();
    return () => { stop = true; stream?.getTracks().forEach((tr) => tr.stop()); };
  }, [camera, onCode, t]);

  const canCamera = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  return (
    <div className="scanner">
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (typed.trim()) { onCode(typed.trim()); setTyped(''); } }}>
        <Field label={label ?? t('追溯码', 'Trace code')} value={typed} onChange={(e) => setTyped(e.target.value)}
          placeholder={t('输入或扫描追溯码', 'Type or scan a code')} autoComplete="off" />
        <Button type="submit">{t('确定', 'OK')}</Button>
        {canCamera && (
          <Button kind="secondary" onClick={() => { setError(null); setCamera((c) => !c); }}>
            {camera ? t('关闭摄像头', 'Stop camera') : t('摄像头扫码', 'Scan with camera')}
          </Button>
        )}
      </form>
      {camera && <video ref={video} muted playsInline style={{ width: '100%', maxWidth: 360, marginTop: 8 }} aria-label={t('摄像头画面', 'Camera view')} />}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
