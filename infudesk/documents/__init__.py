"""PDF documents (reportlab): cost letter, Good Faith Estimate, prior-auth packet, appeal letter,
verification summary, start-of-day summary. Builders take the plain data of ``documents.data``, never ORM rows.

    from infudesk.documents import build
    build(CostLetterData(...), Path("letter.pdf"))   # or any binary file object

Each kind also has its own module with ``build(data, out)`` and ``story(data)``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from infudesk.documents import (
    appeal,
    cost_letter,
    day_summary,
    gfe,
    pa_packet,
    verification_summary,
)
from infudesk.documents.data import (
    AppealData,
    CostLetterData,
    DaySummaryData,
    GoodFaithEstimateData,
    PaPacketData,
    VerificationSummaryData,
)

DocumentData = (
    CostLetterData
    | GoodFaithEstimateData
    | PaPacketData
    | AppealData
    | VerificationSummaryData
    | DaySummaryData
)
BUILDERS: dict[type, Callable[[Any, BinaryIO | Path], None]] = {
    CostLetterData: cost_letter.build,
    GoodFaithEstimateData: gfe.build,
    PaPacketData: pa_packet.build,
    AppealData: appeal.build,
    VerificationSummaryData: verification_summary.build,
    DaySummaryData: day_summary.build,
}


def build(data: DocumentData, out: BinaryIO | Path) -> None:
    """Write the PDF for ``data`` (any kind) to ``out``."""
    BUILDERS[type(data)](data, out)


__all__ = ["BUILDERS", "DocumentData", "build"]
