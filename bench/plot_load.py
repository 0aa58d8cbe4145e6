"""Plot of bench/load.py's scaling run (``--scale … --json FILE``): ops/s and p99 latencies per device count.

Drawn with Qt's QPainter (already a dependency; offscreen), so no plotting library is needed.
Usage: QT_QPA_PLATFORM=offscreen python bench/plot_load.py results.json docs/img/server-load.png
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

W, H = 1000, 520
LEFT, RIGHT, TOP, BOTTOM = 80, 80, 50, 70
SERIES = (("push", "push p99", QColor("#c0392b")), ("pull", "pull p99", QColor("#2471a3")),
          ("blob", "upload p99", QColor("#7d3c98")))


def _x(n: int, counts: list[int]) -> float:
    lo, hi = math.log(min(counts)), math.log(max(counts))
    inset = 50  # keeps the first and last bars clear of the axes
    return LEFT + inset + (math.log(n) - lo) / max(hi - lo, 1e-9) * (W - LEFT - RIGHT - 2 * inset)


def draw(results: dict[str, Any], out: Path) -> None:
    counts = sorted(int(n) for n in results)
    rows = {int(n): r["load"] for n, r in results.items()}
    top_ops = max(r["ops_per_s"] for r in rows.values()) * 1.15
    top_ms = max(max(r["calls"].get(k, {}).get("p99_ms", 0) for k, _, _ in SERIES) for r in rows.values()) * 1.15
    image = QImage(W, H, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("DejaVu Sans", 10))
    plot_h = H - TOP - BOTTOM

    def y(value: float, top: float) -> float:
        return TOP + plot_h - value / top * plot_h

    p.setPen(QPen(QColor("#999999"), 1))
    p.drawRect(QRectF(LEFT, TOP, W - LEFT - RIGHT, plot_h))
    for i in range(6):
        level = TOP + plot_h * i / 5
        p.setPen(QPen(QColor("#e5e5e5"), 1))
        p.drawLine(QPointF(LEFT, level), QPointF(W - RIGHT, level))
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(0, level - 8, LEFT - 8, 16), Qt.AlignmentFlag.AlignRight, f"{top_ops * (5 - i) / 5:.0f}")
        p.drawText(QRectF(W - RIGHT + 8, level - 8, RIGHT, 16), Qt.AlignmentFlag.AlignLeft,
                   f"{top_ms * (5 - i) / 5:.0f}")
    for n in counts:
        p.drawText(QRectF(_x(n, counts) - 30, H - BOTTOM + 6, 60, 16), Qt.AlignmentFlag.AlignCenter, str(n))
    p.drawText(QRectF(LEFT, H - 36, W - LEFT - RIGHT, 16), Qt.AlignmentFlag.AlignCenter,
               "simulated devices (log scale)")
    p.drawText(QRectF(4, 20, 300, 16), Qt.AlignmentFlag.AlignLeft, "ops/s (bars)")
    p.drawText(QRectF(W - 300, 20, 296, 16), Qt.AlignmentFlag.AlignRight, "p99 latency, ms (lines)")
    for n in counts:  # throughput as bars
        x, level = _x(n, counts), y(rows[n]["ops_per_s"], top_ops)
        p.fillRect(QRectF(x - 18, level, 36, TOP + plot_h - level), QColor("#a9cce3"))
    legend_x = LEFT + 12
    for kind, label, color in SERIES:  # p99 latencies as lines
        points = [QPointF(_x(n, counts), y(rows[n]["calls"][kind]["p99_ms"], top_ms)) for n in counts
                  if kind in rows[n]["calls"]]
        p.setPen(QPen(color, 2.5))
        for a, b in zip(points, points[1:], strict=False):
            p.drawLine(a, b)
        for point in points:
            p.drawEllipse(point, 4, 4)
        p.drawLine(QPointF(legend_x, TOP + 14), QPointF(legend_x + 24, TOP + 14))
        p.setPen(QColor("#333333"))
        p.drawText(QRectF(legend_x + 30, TOP + 6, 120, 16), Qt.AlignmentFlag.AlignLeft, label)
        legend_x += 140
    p.fillRect(QRectF(legend_x, TOP + 8, 24, 12), QColor("#a9cce3"))
    p.drawText(QRectF(legend_x + 30, TOP + 6, 120, 16), Qt.AlignmentFlag.AlignLeft, "ops/s")
    p.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(out))


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    _app = QGuiApplication(sys.argv[:1])
    draw(json.loads(source.read_text())["results"], out)
    print(out)


if __name__ == "__main__":
    main()
