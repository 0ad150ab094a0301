"""Safety alerts become urgent reports in the coordinators' triage queue.

A "not safe" answer at a check-in used to be a ``bot.SafetyAlert`` that vanished with
the host's account or the proposal's purge. Each open alert is carried over as the
report ``safety.services.report_unsafe_checkin`` files today (snapshot taken now), and
only then is the table dropped: no alert is lost.
"""

from django.db import migrations

UNSAFE_CHECKIN = "unsafe_checkin"
URGENT = 1


def alerts_to_reports(apps, schema_editor):  # type: ignore[no-untyped-def]
    SafetyAlert = apps.get_model("bot", "SafetyAlert")
    Report = apps.get_model("safety", "Report")
    for alert in SafetyAlert.objects.select_related(
        "proposal__offer__owner", "proposal__offer__city__region", "proposal__need"
    ).iterator():
        proposal, offer = alert.proposal, alert.proposal.offer
        Report.objects.create(
            target_kind="proposal",
            target_public_id=proposal.public_id,
            subject=offer.owner,
            subject_pseudonym=offer.owner.username,
            snapshot={
                "kind": "proposal",
                "city": offer.city.slug,
                "status": proposal.status,
                "carried_over_from_alert_at": alert.created_at.isoformat(),
            },
            region_id=offer.city.region_id,
            reason=UNSAFE_CHECKIN,
            priority=URGENT,
            reporter=alert.user,
            status="actioned" if alert.handled_at else "open",
            handled_at=alert.handled_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("bot", "0002_conversation_parked"),
        ("safety", "0002_report_snapshot_and_blocks"),
        ("matching", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(alerts_to_reports, migrations.RunPython.noop),
        migrations.DeleteModel(name="SafetyAlert"),
    ]
