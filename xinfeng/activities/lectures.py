"""云讲堂: what an online activity's page plays, and when.

A site gives a lecture a live stream URL (HLS ``.m3u8``, or a video file) and, after it, a
replay URL. Before the start the page says when to come back; from the start until the
activity is finished it plays the stream; afterwards the replay, which is kept: finishing
an online activity with no replay of its own keeps the stream's URL as the replay (a live
HLS playlist stays available as video on demand on the usual platforms) until the
organiser sets another. A viewer counts once per lecture when the video really plays
(``services.online_view_record``, called by the page's play beacon), not on opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone

from .choices import ActivityState, ViewKind

# File endings a browser plays in <video> without help.
VIDEO_FILES = (".mp4", ".m4v", ".webm", ".ogv", ".ogg", ".mov", ".wav", ".mp3", ".m4a")


@dataclass(frozen=True)
class Source:
    url: str
    kind: str  # ViewKind.LIVE | ViewKind.REPLAY
    player: str  # "hls" (through hls.js, or native on iOS) | "file" (plain <video>)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def player_for(url: str) -> str:
    path = urlsplit(url).path.lower()
    if path.endswith(".m3u8"):
        return "hls"
    if path.endswith(VIDEO_FILES):
        return "file"
    return "hls"  # stream URLs without an ending are HLS on the common platforms


def source(activity, *, now: datetime | None = None) -> Source | None:
    """What the page plays now, or None (not started yet, or no URL given)."""
    now = now or timezone.now()
    if activity.state == ActivityState.FINISHED:
        url = activity.replay_url or activity.stream_url
        return Source(url, ViewKind.REPLAY, player_for(url)) if url else None
    if activity.state == ActivityState.PUBLISHED and activity.starts_at <= now:
        if activity.stream_url:
            return Source(activity.stream_url, ViewKind.LIVE, player_for(activity.stream_url))
        if activity.replay_url:
            return Source(activity.replay_url, ViewKind.REPLAY, player_for(activity.replay_url))
    return None


def keep_replay(activity) -> list[str]:
    """On finishing: an online activity without a replay keeps its stream as the replay.
    Returns the fields changed (for ``update_fields``)."""
    if activity.is_online and not activity.replay_url and activity.stream_url:
        activity.replay_url = activity.stream_url
        return ["replay_url"]
    return []
