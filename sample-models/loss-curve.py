#!/usr/bin/env python3
"""Draws sample-models/training-loss.csv as training-loss.svg: training loss per step (thin) and held-out loss every
100 steps (dots and line), log-scaled loss axis. Standard library only.  Usage: loss-curve.py [CSV] [SVG]"""
import csv
import math
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "sample-models/training-loss.csv"
dst = sys.argv[2] if len(sys.argv) > 2 else "sample-models/training-loss.svg"
rows = list(csv.DictReader(open(src)))
steps = [int(r["step"]) for r in rows]
loss = [float(r["loss"]) for r in rows]
val = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]

W, H, L, R, T, B = 720, 360, 60, 20, 20, 40
lo, hi = math.log(min(loss + [v for _, v in val]) * 0.9), math.log(max(loss) * 1.1)
def x(s): return L + (W - L - R) * s / max(steps)
def y(v): return T + (H - T - B) * (hi - math.log(v)) / (hi - lo)

out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>']
for v in [0.5, 0.6, 0.8, 1, 2, 4, 7]:
    if lo <= math.log(v) <= hi:
        out.append(f'<line x1="{L}" x2="{W-R}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{L-6}" y="{y(v)+4:.1f}" text-anchor="end" fill="#374151">{v}</text>')
for s in range(0, max(steps) + 1, 500):
    out.append(f'<line x1="{x(s):.1f}" x2="{x(s):.1f}" y1="{T}" y2="{H-B}" stroke="#f3f4f6"/>')
    out.append(f'<text x="{x(s):.1f}" y="{H-B+16}" text-anchor="middle" fill="#374151">{s}</text>')
pts = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(steps, loss))
out.append(f'<polyline points="{pts}" fill="none" stroke="#93c5fd" stroke-width="1"/>')
vpts = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in val)
out.append(f'<polyline points="{vpts}" fill="none" stroke="#dc2626" stroke-width="2"/>')
for s, v in val:
    out.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="2.5" fill="#dc2626"/>')
out.append(f'<text x="{(L+W-R)/2}" y="{H-6}" text-anchor="middle" fill="#111827">step (8 × 256 tokens each)</text>')
out.append(f'<text x="14" y="{(T+H-B)/2}" transform="rotate(-90 14 {(T+H-B)/2})" text-anchor="middle" '
           f'fill="#111827">cross-entropy (nats, log scale)</text>')
out.append(f'<text x="{W-R-8}" y="{T+14}" text-anchor="end" fill="#2563eb">training batch</text>')
out.append(f'<text x="{W-R-8}" y="{T+30}" text-anchor="end" fill="#dc2626">held-out stories</text>')
out.append("</svg>")
open(dst, "w").write("\n".join(out) + "\n")
