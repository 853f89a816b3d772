"""`jpoa screenshots DIR`: PNGs of the pages, desktop and phone, in both languages."""

import io
import struct
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

CHROMIUM = Path("/usr/bin/chromium")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", header[16:24])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_it_writes_each_page_at_both_widths_in_both_languages(default_data, tmp_path):
    pytest.importorskip("playwright.sync_api")
    out = io.StringIO()
    call_command("screenshots", str(tmp_path / "shots"), "--page", "event", stdout=out)
    files = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert files == [
        "en-event-desktop.png",
        "en-event-phone.png",
        "ru-event-desktop.png",
        "ru-event-phone.png",
    ]
    assert png_size(tmp_path / "shots" / "ru-event-phone.png")[0] == 390  # nothing overflows
    assert png_size(tmp_path / "shots" / "en-event-desktop.png")[0] == 1280
    assert "Wrote 4 screenshots" in out.getvalue()


@pytest.mark.django_db
def test_it_needs_the_data_first(tmp_path):
    with pytest.raises(CommandError, match="run `jpoa init` first"):
        call_command("screenshots", str(tmp_path))
