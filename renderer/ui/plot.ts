/**
 * The live throughput plot: received and sent bytes per second over the meters' span, drawn on a
 * canvas at device resolution. Redrawn by the app on a fixed cadence, never per event.
 */
import type { Conversation } from '../lib/conversation';
import { formatRate } from '../lib/format';
import { h } from './dom';

export class ThroughputPlot {
  readonly root: HTMLCanvasElement;
  private last: Conversation | undefined;

  constructor() {
    this.root = h('canvas', { class: 'plot', role: 'img', 'aria-label': 'Throughput over the last minute' });
    // Redrawn as soon as its box changes: until the next tick the old bitmap would be stretched
    // into the new box, and the scale label squeezed with it.
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.draw(this.last, Date.now())).observe(this.root);
  }

  draw(conversation: Conversation | undefined, now: number): void {
    this.last = conversation;
    const canvas = this.root;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const hgt = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== hgt) {
      canvas.width = w;
      canvas.height = hgt;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const css = getComputedStyle(canvas);
    const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    ctx.clearRect(0, 0, w, hgt);
    const rx = conversation?.rxRate.series(now);
    const tx = conversation?.txRate.series(now);
    let max = 0;
    for (const s of [rx, tx]) if (s) for (const v of s) if (v > max) max = v;
    const top = 14 * dpr;
    const plotH = hgt - top - 2 * dpr;
    // Round the scale up to 1, 2 or 5 × 10^n so the label stays steady while the rate wobbles.
    const scale = niceCeil(Math.max(max, 1024));
    ctx.strokeStyle = color('--plot-grid', '#333');
    ctx.lineWidth = 1;
    for (let i = 0; i <= 2; i++) {
      const y = Math.round(top + (plotH * i) / 2) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(w, y);
      ctx.stroke();
    }
    const series = (values: Float64Array | undefined, stroke: string, fill: string | null) => {
      if (!values || values.length < 2) return;
      const step = w / (values.length - 1);
      ctx.beginPath();
      values.forEach((v, i) => {
        const x = i * step;
        const y = top + plotH - (v / scale) * plotH;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5 * dpr;
      ctx.stroke();
      if (fill) {
        ctx.lineTo(w, top + plotH);
        ctx.lineTo(0, top + plotH);
        ctx.closePath();
        ctx.fillStyle = fill;
        ctx.fill();
      }
    };
    series(rx, color('--rx', '#4cc2ff'), color('--rx-fill', 'rgba(76,194,255,0.18)'));
    series(tx, color('--tx', '#ffb454'), null);
    ctx.fillStyle = color('--muted', '#999');
    ctx.font = `${10 * dpr}px ${css.fontFamily || 'sans-serif'}`;
    ctx.textBaseline = 'top';
    ctx.fillText(
      `${formatRate(scale)} max · last ${Math.round(((rx?.length ?? 0) * (conversation?.rxRate.bucketMs ?? 250)) / 1000)} s`,
      4 * dpr,
      1 * dpr,
    );
  }
}

function niceCeil(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
