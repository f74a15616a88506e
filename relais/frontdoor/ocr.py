"""OCR of scanned letters: Debian's ``tesseract`` (French) reads the pages that have no text
layer, rendered at 300 dpi by pypdfium2. No network and no model download: the French model
is the ``tesseract-ocr-fra`` package (``make ocr``). When the binary is missing, fails or runs
too long, ``OcrUnavailable`` is raised and the caller keeps the letter with a French notice.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess

from django.conf import settings

logger = logging.getLogger(__name__)

DPI = 300


class OcrUnavailable(Exception):
    """tesseract is not installed, failed, or ran past its time limit."""


def tesseract_command() -> str | None:
    """The tesseract binary (``FRONTDOOR_TESSERACT_CMD``, a name on the PATH or a path), or
    None when it is not there."""
    return shutil.which(getattr(settings, "FRONTDOOR_TESSERACT_CMD", "tesseract"))


def ocr_available() -> bool:
    return tesseract_command() is not None


def max_pages() -> int:
    return int(getattr(settings, "FRONTDOOR_OCR_MAX_PAGES", 10))


def ocr_image(image) -> str:
    """The French text tesseract reads on a Pillow ``image``."""
    command = tesseract_command()
    if command is None:
        raise OcrUnavailable("tesseract not found")
    picture = io.BytesIO()
    # PNM: no compression to spend time on, and leptonica reads it from stdin.
    image.convert("L").save(picture, format="PPM")
    timeout = float(getattr(settings, "FRONTDOOR_OCR_TIMEOUT", 60))
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [command, "stdin", "stdout", "-l", "fra", "--psm", "3"],
            input=picture.getvalue(),
            capture_output=True,
            timeout=timeout,
            # One thread: OpenMP's threads spin on a shared, loaded machine (measured: 1.1 s a
            # page on one thread against 2.6 s with the default, docs/frontdoor.md).
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("OCR failed: %s", error)
        raise OcrUnavailable(str(error)) from error
    if completed.returncode != 0:
        logger.warning("OCR failed: %s", completed.stderr.decode(errors="replace")[:500])
        raise OcrUnavailable(f"tesseract exited with {completed.returncode}")
    return completed.stdout.decode("utf-8", errors="replace")


def ocr_pdf_pages(data: bytes, indexes: list[int]) -> dict[int, str]:
    """The text tesseract reads on the PDF pages ``indexes`` (0-based), rendered at 300 dpi."""
    if not ocr_available():
        raise OcrUnavailable("tesseract not found")
    import pypdfium2 as pdfium

    texts: dict[int, str] = {}
    document = pdfium.PdfDocument(data)
    try:
        for index in indexes:
            page = document[index]
            try:
                bitmap = page.render(scale=DPI / 72, grayscale=True)
                texts[index] = ocr_image(bitmap.to_pil())
            finally:
                page.close()
    except pdfium.PdfiumError as error:
        raise OcrUnavailable(str(error)) from error
    finally:
        document.close()
    return texts
