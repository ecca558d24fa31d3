"""SQLModel tables, one module per aggregate; importing this package registers them all on the metadata."""

from catalog_ui.models.audit import ChangeSet, MetadataSync, MetadataSyncArchive
from catalog_ui.models.base import utc_now
from catalog_ui.models.channel import Channel
from catalog_ui.models.grid import GridPreference, SavedView, VideoSearch, VideoSort
from catalog_ui.models.queue import ProcessingQueue
from catalog_ui.models.report import Report, ReportArchive, ReportRejection
from catalog_ui.models.user import AccountChange, LoginThrottle, Role, RolesUsers, User, UserSession
from catalog_ui.models.video import Video

__all__ = [
    "AccountChange",
    "ChangeSet",
    "Channel",
    "GridPreference",
    "LoginThrottle",
    "MetadataSync",
    "MetadataSyncArchive",
    "ProcessingQueue",
    "Report",
    "ReportArchive",
    "ReportRejection",
    "Role",
    "RolesUsers",
    "SavedView",
    "User",
    "UserSession",
    "Video",
    "VideoSearch",
    "VideoSort",
    "utc_now",
]
