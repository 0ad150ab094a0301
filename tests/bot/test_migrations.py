"""Migration bot 0003 carries every safety alert over to the triage queue before it drops
the old table: no "I am not safe" answer is lost on upgrade."""

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haven.matching.services import Planned, proposals_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_open_and_handled_alerts_become_reports(
    alice: Any, bob: Any, alices_need: Any, bobs_offer: Any
) -> None:
    proposal = proposals_create(planned=Planned(need=alices_need, offers=((bobs_offer, 1.0),)))[0]
    executor = MigrationExecutor(connection)
    before, after = (
        [("bot", "0002_conversation_parked")],
        [("bot", "0003_safety_alerts_to_reports")],
    )
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    CheckIn, Alert = old.get_model("bot", "SafetyCheckIn"), old.get_model("bot", "SafetyAlert")
    for n, handled in enumerate((None, timezone.now())):
        checkin = CheckIn.objects.create(
            token=f"tok{n}",
            proposal_id=proposal.pk,
            stage=("arrival", "day")[n],
            due_at=timezone.now(),
        )
        Alert.objects.create(
            checkin=checkin, user_id=alice.pk, proposal_id=proposal.pk, handled_at=handled
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    Report = new.get_model("safety", "Report")
    reports = list(
        Report.objects.order_by("status").values_list(
            "status",
            "reason",
            "priority",
            "subject_id",
            "reporter_id",
            "subject_pseudonym",
            "target_public_id",
        )
    )
    assert reports == [
        ("actioned", "unsafe_checkin", 1, bob.pk, alice.pk, bob.username, proposal.public_id),
        ("open", "unsafe_checkin", 1, bob.pk, alice.pk, bob.username, proposal.public_id),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the schema as the suite expects
