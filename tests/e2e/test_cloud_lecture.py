"""云讲堂 on a 390 px phone: a resident opens the monthly lecture, the site's HLS stream
(served from another origin, as a streaming platform would) plays in the page through the
vendored player, and the online viewer count goes up once, when it really plays, and not
again when they come back; after the lecture the replay plays on the same page."""

import http.server
import socketserver
import struct
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.activities.conftest import soon
from xinfeng.activities import services
from xinfeng.activities.models import Activity

from .conftest import PHONE, login

# A silent AAC-LC frame (mono), as hls.js itself uses for gaps (src/remux/aac-helper.ts).
SILENT = bytes([0x00, 0xC8, 0x00, 0x80, 0x23, 0x80])
FRAMES_PER_SEGMENT = 87  # 87 × 1024 samples at 44.1 kHz ≈ 2.02 s
SEGMENTS = 3


def _adts(payload: bytes) -> bytes:
    """An ADTS header (MPEG-4 AAC LC, 44.1 kHz, mono, no CRC) and the payload."""
    length = 7 + len(payload)
    profile, freq, channels = 1, 4, 1
    header = bytes(
        [
            0xFF,
            0xF1,
            (profile << 6) | (freq << 2) | (channels >> 2),
            ((channels & 3) << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 7) << 5) | 0x1F,
            0xFC,
        ]
    )
    return header + payload


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _id3_timestamp(pts_90k: int) -> bytes:
    """The ID3 PRIV frame that dates a packed-audio HLS segment (RFC 8216 §3.4)."""
    owner = b"com.apple.streaming.transportStreamTimestamp\x00"
    body = owner + struct.pack(">Q", pts_90k)
    frame = b"PRIV" + _syncsafe(len(body)) + b"\x00\x00" + body
    return b"ID3\x04\x00\x00" + _syncsafe(len(frame)) + frame


@pytest.fixture
def stream(tmp_path):
    """A VOD HLS playlist of silent AAC segments on its own HTTP server (CORS open)."""
    duration = FRAMES_PER_SEGMENT * 1024 / 44100
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:3", "#EXT-X-MEDIA-SEQUENCE:0"]
    for i in range(SEGMENTS):
        pts = round(i * duration * 90000)
        data = _id3_timestamp(pts) + b"".join(_adts(SILENT) for _ in range(FRAMES_PER_SEGMENT))
        (tmp_path / f"seg{i}.aac").write_bytes(data)
        lines += [f"#EXTINF:{duration:.3f},", f"seg{i}.aac"]
    lines.append("#EXT-X-ENDLIST")
    (tmp_path / "index.m3u8").write_text("\n".join(lines) + "\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".m3u8": "application/vnd.apple.mpegurl",
            ".aac": "audio/aac",
        }

        def end_headers(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(
        ("127.0.0.1", 0), partial(Handler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.m3u8"
    server.shutdown()
    server.server_close()


def _play(page) -> None:
    """The person taps play (muted first, as a phone starts a video without sound)."""
    video = page.locator("#lecture-player")
    page.evaluate("document.getElementById('lecture-player').muted = true")
    video.click()
    page.wait_for_timeout(200)
    if page.evaluate("document.getElementById('lecture-player').paused"):
        page.evaluate("document.getElementById('lecture-player').play()")


@pytest.mark.django_db(transaction=True)
def test_resident_watches_the_lecture_and_counts_once(browser, live_server, tree, owner, stream):
    start = soon()
    lecture = services.activity_create(
        actor=owner,
        site=tree.st1,
        title="每月云讲堂：家风家训",
        category="theory",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=1000,
        mode="online",
        stream_url=stream,
        is_cloud_lecture=True,
    )
    services.activity_publish(actor=owner, activity=lecture)
    # The lecture began ten minutes ago.
    began = timezone.now() - timedelta(minutes=10)
    Activity.objects.filter(pk=lecture.pk).update(
        starts_at=began, ends_at=began + timedelta(hours=2)
    )
    from tests.factories import UserFactory

    UserFactory(username="viewer", home_region=tree.v1)
    context = browser.new_context(**PHONE, base_url=live_server.url)
    page = context.new_page()
    try:
        login(page, "viewer")
        page.goto("/activities/lectures/")
        page.get_by_role("link", name="每月云讲堂：家风家训").click()
        expect(page.locator("h1")).to_contain_text("直播")
        expect(page.get_by_test_id("viewers")).to_contain_text("已有 0 人在线观看")
        _play(page)
        video = page.locator("#lecture-player")
        expect(video).to_have_attribute("data-counted", "1", timeout=20000)
        # It really plays: the playhead moves.
        for _ in range(75):
            if page.evaluate("document.getElementById('lecture-player').currentTime") > 0.2:
                break
            page.wait_for_timeout(200)
        assert page.evaluate("document.getElementById('lecture-player').currentTime") > 0.2
        expect(page.get_by_test_id("viewers")).to_contain_text("已有 1 人在线观看")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Coming back and playing again does not count the same person twice.
        page.reload()
        _play(page)
        expect(video).to_have_attribute("data-counted", "1", timeout=20000)
        expect(page.get_by_test_id("viewers")).to_contain_text("已有 1 人在线观看")
        assert Activity.objects.get(pk=lecture.pk).online_viewers == 1

        # After the lecture the page plays the replay (the stream is kept as the replay).
        services.finish_ended_activities(now=began + timedelta(hours=3))
        page.goto(f"/activities/{lecture.pk}/watch/")
        expect(page.locator("h1")).to_contain_text("回放")
        _play(page)
        expect(video).to_have_attribute("data-counted", "1", timeout=20000)
        assert Activity.objects.get(pk=lecture.pk).online_viewers == 1
    finally:
        context.close()
