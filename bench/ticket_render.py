"""Render + encode time of a ticket, and its size on the wire (issue #4: < 50 ms at 80 mm).

Run: .venv/bin/python bench/ticket_render.py [ITERATIONS]
Each iteration is a different ticket (number, people ahead, QR URL), as at a kiosk.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time

from printer_drivers.job import encode_ticket
from printer_drivers.sample import sample_ticket
from printer_drivers.url import parse_printer_url

URLS = {
    "80 mm raster": "dummy://",
    "58 mm raster": "dummy://?paper=58",
    "80 mm text CP1258": "dummy://?mode=text",
}
BAUD_RATES = (9600, 38400, 115200)


def main(iterations: int = 200) -> None:
    base = sample_ticket()
    tickets = [
        dataclasses.replace(
            base,
            number=str(1001 + i),
            people_ahead=i % 40,
            qr_url=f"https://motcua.example.vn/t/{1001 + i:05d}-{i * 7919 % 100000:05d}",
        )
        for i in range(iterations)
    ]
    for name, text in URLS.items():
        url = parse_printer_url(text)
        started = time.perf_counter()
        size = len(encode_ticket(tickets[0], url))
        cold_ms = (time.perf_counter() - started) * 1000
        timings = []
        for ticket in tickets:
            started = time.perf_counter()
            encode_ticket(ticket, url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        wire = ", ".join(f"{size * 10 / baud:.1f} s at {baud}" for baud in BAUD_RATES)
        print(
            f"{name:18} median {statistics.median(timings):5.1f} ms  p95 {p95:5.1f} ms  "
            f"max {timings[-1]:5.1f} ms  first {cold_ms:5.1f} ms  {size:6d} bytes  ({wire})"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
