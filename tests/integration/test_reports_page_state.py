"""The Reports pages' state outside a browser: the upload dialog while a file is sent, and the rejected rows'
label of a report that rejected more rows than are stored."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from catalog_ui.services import reports
from catalog_ui.services.ingest import ingest_report
from catalog_ui.services.report_load import MAX_STORED_REJECTIONS
from catalog_ui.state.report_detail import ReportDetailState
from catalog_ui.state.report_display import ReportRow
from catalog_ui.state.reports import ReportsState
from tests.states import state_for


def test_the_upload_dialog_follows_the_sending_and_a_late_last_step_leaves_it_alone(
    session: Session, token: str
) -> None:
    state = state_for(ReportsState, token)
    state.upload_open = True

    ReportsState.upload_progress.fn(state, {"loaded": 1, "total": 4, "progress": 0.25})
    assert (state.sending, state.sent_percent) == (True, 25)
    ReportsState.upload_progress.fn(state, {"progress": 1})
    assert (state.sending, state.sent_percent) == (True, 100)  # until the upload handler has run

    state.sending = False  # the handler ran; the browser's last step arrives after it
    ReportsState.upload_progress.fn(state, {"progress": 1})
    assert state.sending is False

    # A refused upload never finishes sending: closing or reopening the dialog frees its button.
    ReportsState.upload_progress.fn(state, {"progress": 0.5})
    list(ReportsState.set_upload_open.fn(state, True))
    assert state.sending is False


def test_a_refused_upload_frees_the_dialog_of_a_signed_out_browser(session: Session) -> None:
    # The upload guard refuses a browser whose session ended (or that the database down cannot check), then
    # calls this handler: a session guard on it left the dialog showing the upload being sent, for good.
    state = state_for(ReportsState, "not-a-valid-token")
    state.upload_open, state.sending, state.sent_percent = True, True, 40

    assert ReportsState.upload_refused.fn(state) is None  # no redirect: the guard's toast says to sign in
    assert (state.sending, state.sent_percent, state.upload_open) == (False, 0, True)


def test_a_report_that_rejected_more_rows_than_are_stored_says_which_are_listed(
    session: Session, token: str, tmp_path: Path
) -> None:

    path = tmp_path / "mostly_bad.csv"
    bad = "".join(f"bad{n},x,1\n" for n in range(MAX_STORED_REJECTIONS + 3))
    path.write_text(f"video_id,video_title,views\n{bad}vidAlpha001,Fine,1\n")
    report, _ = reports.register_path(session, path)
    session.commit()
    assert ingest_report(report.id).rows_rejected == MAX_STORED_REJECTIONS + 3

    detail = state_for(ReportDetailState, token)
    detail.report_id, detail.report = report.id, ReportRow(running=True)
    ReportDetailState.tick.fn(detail, "")  # the poll that sees the report end reads its rejected rows

    # The counts said 10,003 rejected, the list and its CSV hold the first 10,000.
    assert detail.rejections_label == "10,000 rejected rows stored: the first of 10,003"
