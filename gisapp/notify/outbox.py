"""Writing notifications to the outbox, and mailing them when SMTP is configured.

Messages are bilingual (Chinese first) because an account has no language preference yet.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.auth.models import User
from gisapp.notify.models import OutboxMessage
from gisapp.reports.models import Follow, Report, ReportEvent, ReportSupport
from gisapp.settings import Settings

STATUS_WORDS = {
    "submitted": ("已提交", "submitted"),
    "accepted": ("已受理", "accepted"),
    "in_progress": ("处理中", "in progress"),
    "resolved": ("已解决", "resolved"),
    "closed": ("已办结", "closed"),
    "duplicate": ("重复", "duplicate"),
    "rejected": ("已驳回", "rejected"),
}


def _recipients(session: Session, report: Report, exclude: int | None) -> set[int]:
    ids: set[int] = set()
    if report.reporter_id:
        ids.add(report.reporter_id)
    ids.update(
        uid
        for uid in session.scalars(
            sa.select(ReportSupport.user_id).where(
                ReportSupport.report_id == report.id, ReportSupport.user_id.is_not(None)
            )
        )
        if uid is not None
    )
    ids.update(session.scalars(sa.select(Follow.user_id).where(Follow.report_id == report.id)))
    ids.discard(exclude)
    return ids


def _describe(report: Report, event: ReportEvent) -> tuple[str, str]:
    if event.kind in ("status", "reopened") and event.to_status:
        zh, en = STATUS_WORDS.get(event.to_status, (event.to_status, event.to_status))
        verb_zh = "被重新打开" if event.kind == "reopened" else f"状态变为“{zh}”"
        verb_en = "was reopened" if event.kind == "reopened" else f"is now {en}"
        subject = f"诉求 #{report.id} {verb_zh} / Report #{report.id} {verb_en}"
    else:
        subject = f"诉求 #{report.id} 有新进展 / Report #{report.id} has an update"
    body = subject + ("\n\n" + event.note if event.note else "") + f"\n\n/reports/{report.id}"
    return subject, body


def notify_report_change(session: Session, report: Report, event: ReportEvent) -> int:
    """One outbox message per interested account; returns how many were written."""
    subject, body = _describe(report, event)
    users = _recipients(session, report, exclude=event.actor_id)
    for uid in sorted(users):
        session.add(
            OutboxMessage(
                user_id=uid,
                kind=f"report_{event.kind}",
                report_id=report.id,
                subject=subject,
                body=body,
                payload={"report_id": report.id, "status": report.status},
            )
        )
    return len(users)


def notify_new_report(session: Session, report: Report) -> int:
    """Tell the followers of the report's areas that something was filed there."""
    area_ids = [i for i in report.area_ids().values() if i is not None]
    if not area_ids or report.moderation != "visible":
        return 0
    users = set(session.scalars(sa.select(Follow.user_id).where(Follow.area_id.in_(area_ids))))
    users.discard(report.reporter_id)
    subject = f"您关注的区域有新诉求 #{report.id} / New report #{report.id} in an area you follow"
    for uid in sorted(users):
        session.add(
            OutboxMessage(
                user_id=uid,
                kind="area_new_report",
                report_id=report.id,
                subject=subject,
                body=f"{subject}\n\n{report.description}\n\n/reports/{report.id}",
                payload={"report_id": report.id},
            )
        )
    return len(users)


def send_pending(session: Session, settings: Settings, limit: int = 200) -> tuple[int, int]:
    """Mail unsent messages to accounts with an e-mail address; (sent, failed).

    Does nothing without ``GISAPP_SMTP_HOST``: the outbox is the record either way.
    """
    if not settings.smtp_host:
        return 0, 0
    rows = session.execute(
        sa.select(OutboxMessage, User.email)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.sent_at.is_(None), User.email.is_not(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(of=OutboxMessage, skip_locked=True)
    ).all()
    sent = failed = 0
    if not rows:
        return 0, 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        for message, email in rows:
            mail = EmailMessage()
            mail["From"] = settings.mail_from
            mail["To"] = email
            mail["Subject"] = message.subject
            mail.set_content(message.body)
            try:
                smtp.send_message(mail)
            except smtplib.SMTPException as exc:
                message.send_error = str(exc)[:500]
                failed += 1
            else:
                message.sent_at = dt.datetime.now(dt.UTC)
                sent += 1
    return sent, failed
