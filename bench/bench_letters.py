"""How fast cost letters render: one letter, and a batch of 200 (names in several scripts).

    uv run python bench/bench_letters.py [--runs 40] [--batch 200]

Medians, each beside a floor measured in the same run (the machines here are shared and noisy):
a one-paragraph PDF in the same embedded fonts (regular and bold, as the letter). Target: under
150 ms a letter, and 3x the floor.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportlab.lib.pagesizes import LETTER  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from infudesk.documents import cost_letter, styles  # noqa: E402
from infudesk.documents.data import (  # noqa: E402
    AssistanceApplied,
    Contact,
    CostLetterData,
    CoverageLine,
    Letterhead,
    PatientInfo,
    PlanTerms,
)
from infudesk.domain import costshare as cs  # noqa: E402

CENTER = Letterhead(
    "Lakeside Infusion Center",
    ("1200 Harbor Drive, Suite 300", "Springfield, IL 62704"),
    "(217) 555-0140",
    "(217) 555-0141",
    "1093847562",
    "36-4829175",
)
NAMES = (
    ("María Elena García-López", "es"),
    ("Nguyễn Văn An", "vi"),
    ("王秀英", "zh"),
    ("Олена Коваленко", "uk"),
    ("Zoë O'Brien", "en"),
    ("James Carter", "en"),
    ("김민준", "ko"),
    ("Αλέξανδρος Παπαδόπουλος", "el"),
)


def letter() -> CostLetterData:
    """A 7-visit infliximab course with a copay card (the D0001 showcase)."""
    primary = cs.Coverage(
        "commercial",
        deductible=D("2000"),
        deductible_met=D("500"),
        coinsurance=D("0.20"),
        oop_max=D("6500"),
        oop_met=D("900"),
    )
    quote = cs.quote(
        cs.QuoteRequest(
            tuple(date(2026, 1, 20) + timedelta(days=56 * i) for i in range(7)),
            (
                cs.ServiceLine("J1745", 36, D("92.50")),
                cs.ServiceLine("J1745-JW", 4, D("92.50")),
                cs.ServiceLine("96365", 1, D("210.00")),
                cs.ServiceLine("96366", 1, D("58.00")),
            ),
            primary,
            assistance=(cs.CopayCard("Infliximab copay program", annual_max=D("20000")),),
        )
    )
    return CostLetterData(
        letterhead=CENTER,
        patient=PatientInfo("María Elena García-López", date(1968, 4, 12), "D0001", "es"),
        issued_on=date(2026, 1, 16),
        service="infliximab (Remicade) 360 mg infusions",
        visits=cost_letter.visits_from_quote(quote, primary.oop_max),
        contact=Contact("Ana Ruiz, financial counselor", "(217) 555-0142"),
        coverages=(CoverageLine("Lakeshore Health", "Lakeshore Health PPO", "LKH482913307"),),
        terms=PlanTerms(D("2000"), D("500"), D("0.20"), None, D("6500"), D("900")),
        every_days=56,
        assistance=(AssistanceApplied("Infliximab copay program", quote.totals.assistance_paid),),
        prior_auth="approved",
        benefits_verified_on=date(2026, 1, 12),
    )


def floor_pdf(*, bold: bool = True) -> bytes:
    """One paragraph on one page in the letter's fonts, embedded as the letter embeds them
    (DejaVu Sans and, with ``bold``, DejaVu Sans Bold): the fixed cost of such a PDF.
    ``bold=False``: the regular face alone (the floor of the earlier tables)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=LETTER)
    text = (
        "Your estimated cost is <b>$1,234.56</b>." if bold else "Your estimated cost is $1,234.56."
    )
    doc.build([Paragraph(text, styles.styles().body)])
    return buf.getvalue()


def render(data: CostLetterData) -> bytes:
    buf = io.BytesIO()
    cost_letter.build(data, buf)
    return buf.getvalue()


def median_ms(*fns: Callable[[], object], runs: int) -> list[float]:
    """The median of each of ``fns``, run in turn (interleaved: a busy spell slows all alike)."""
    for _ in range(min(runs, 5)):  # warm up
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, times, strict=True):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return [statistics.median(x) * 1000 for x in times]


def cold_ms() -> float:
    """The first letter in a fresh process (imports excluded, fonts loaded on first use)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(REPO)!r})\n"
        "from bench.bench_letters import letter, render\n"
        "d = letter(); t = time.perf_counter(); render(d)\n"
        "print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--batches", type=int, default=3)
    args = ap.parse_args()

    base = letter()
    pdf = render(base)
    assert pdf.startswith(b"%PDF")
    one, floor, regular = median_ms(
        lambda: render(base), floor_pdf, lambda: floor_pdf(bold=False), runs=args.runs
    )
    print(
        f"floor (one-paragraph PDF, DejaVu Sans and Sans Bold embedded): median {floor:.1f} ms "
        f"(regular face alone: {regular:.1f} ms)"
    )
    print(
        f"cost letter (1 page, 7 visits, Spanish): median {one:.1f} ms "
        f"(target < 150 ms; {one / floor:.1f}x floor; {one / regular:.1f}x the regular-only one), "
        f"{len(pdf) / 1024:.0f} KiB"
    )
    print(f"first letter in a fresh process (fonts loaded then): {cold_ms():.0f} ms")

    batch = [
        replace(
            base,
            patient=PatientInfo(name, date(1960, 1, 1) + timedelta(days=97 * i), f"B{i:04d}", lang),
            language="es" if lang == "es" else "en",
        )
        for i, (name, lang) in ((i, NAMES[i % len(NAMES)]) for i in range(args.batch))
    ]
    totals = []
    for _ in range(args.batches):
        t = time.perf_counter()
        for data in batch:
            render(data)
        totals.append(time.perf_counter() - t)
    total = statistics.median(totals)
    per = total / len(batch) * 1000
    print(
        f"batch of {len(batch)} letters (8 scripts, en/es): median {total:.2f} s, "
        f"{per:.1f} ms a letter (target < 150 ms; {per / floor:.1f}x floor)"
    )


if __name__ == "__main__":
    main()
