"""The border API over real HTTP, as a partner's client would use it."""

import pytest

from haven.borders.models import BorderReport
from tests.borders.helpers import ago, make_reporters, submit_timed

pytestmark = pytest.mark.django_db(transaction=True)


def timed_json(**overrides):
    data = {
        "checkpoint": "syrym", "kind": "timed", "direction": "entry", "mode": "car",
        "joined_at": ago(hours=6).isoformat(), "passed_at": ago(minutes=20).isoformat(),
    }
    data.update(overrides)
    return data


def test_the_board_is_public_and_lists_every_checkpoint(api, syrym):
    for user in make_reporters(2):
        submit_timed(user, syrym, 5)
    response = api().get("/border/checkpoints")
    assert response.status_code == 200
    body = response.json()
    assert len(body["checkpoints"]) == 19
    item = next(c for c in body["checkpoints"] if c["slug"] == "syrym")
    assert (item["name_en"], item["name_ru"], item["country"], item["type"]) == ("Syrym", "Сырым", "KZ", "road")
    [estimate] = item["estimates"]
    assert (estimate["direction"], estimate["mode"], estimate["reports"], estimate["reporters"]) == ("entry", "car", 2, 2)
    assert estimate["low_h"] <= estimate["wait_h"] <= estimate["high_h"]
    assert len(estimate["spark"]) == 25
    # Nothing personal: no reporter, no report id.
    assert "reporter" not in response.text.replace("reporters", "")
    assert BorderReport.objects.first().public_id not in response.text


def test_a_checkpoint_has_a_72_hour_hourly_series(api, syrym):
    submit_timed(make_reporters(1)[0], syrym, 5)
    body = api().get("/border/checkpoints/syrym").json()
    [line] = body["series"]
    assert (line["direction"], line["mode"], len(line["points"])) == ("entry", "car", 73)
    assert line["points"][0]["wait_h"] is None
    assert line["points"][-1]["wait_h"] is not None


def test_an_unknown_checkpoint_is_a_404_with_a_code(api, db):
    response = api().get("/border/checkpoints/atlantis")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_sending_a_report_needs_an_account(api, syrym):
    response = api().post("/border/reports", json=timed_json())
    # Without a token the session cookie is the only way in, and it needs the CSRF check.
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    wrong = api().post("/border/reports", json=timed_json(), headers={"Authorization": "Bearer hvn_nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "csrf_failed")
    assert BorderReport.objects.count() == 0


def test_a_timed_report_is_saved_and_reaches_the_board(api, alice, syrym):
    client = api(alice)
    response = client.post("/border/reports", json=timed_json())
    assert response.status_code == 201, response.text
    body = response.json()
    report = BorderReport.objects.get()
    assert body == {
        "id": report.public_id, "checkpoint": "syrym", "kind": "timed", "direction": "entry",
        "mode": "car", "submitted_at": report.submitted_at.isoformat(),
    }
    assert (report.reporter, round(report.wait_hours, 2)) == (alice, round(report.wait_hours, 2))
    board = client.get("/border/checkpoints").json()
    item = next(c for c in board["checkpoints"] if c["slug"] == "syrym")
    assert item["estimates"][0]["reports"] == 1


def test_a_flag_and_a_queue_report(api, alice, syrym):
    client = api(alice)
    flag = client.post("/border/reports", json={"checkpoint": "syrym", "kind": "flag", "direction": "entry", "flag": "closed", "value": False})
    queue = client.post("/border/reports", json={"checkpoint": "syrym", "kind": "queue", "direction": "entry", "mode": "bus", "km": 2.5})
    assert (flag.status_code, queue.status_code) == (201, 201), (flag.text, queue.text)
    saved = BorderReport.objects.order_by("pk")
    assert [(r.kind, r.flag, r.value, r.km) for r in saved] == [("flag", "closed", False, None), ("queue", "", None, 2.5)]


@pytest.mark.parametrize(
    ("overrides", "field", "code", "message"),
    [
        ({"passed_at": ago(hours=7).isoformat()}, "passed_at", "passed_before_joined", "You cannot pass control before you joined the queue."),
        ({"joined_at": ago(days=15).isoformat()}, "passed_at", "wait_too_long", "A wait longer than 14 days is not possible. Please check the dates."),
        ({"passed_at": ago(hours=-2).isoformat()}, "passed_at", "from_future", "This time is in the future."),
        ({"checkpoint": "atlantis"}, "checkpoint", "invalid_choice", "Unknown checkpoint. Please choose one from the list."),
        ({"mode": "pedestrian", "checkpoint": "verkhny-lars", "direction": "exit"}, "mode", "unknown_mode", "This checkpoint cannot be crossed this way."),
        ({"direction": "sideways"}, "direction", "invalid_choice", "Select a valid choice. sideways is not one of the available choices."),
        ({"kind": "queue", "position": -3}, "position", "negative", "This cannot be a negative number."),
        ({"kind": "queue", "km": 1000}, "km", "too_large", "This number is too large."),
        ({"kind": "queue"}, "position", "missing_measure", "Give your place in the queue, the number of vehicles ahead of you or the length of the queue in kilometres."),
        ({"joined_at": "last tuesday"}, "joined_at", "invalid", "Enter a valid date/time."),
        ({"kind": "rumour"}, "kind", "literal_error", "This value is not one of the allowed choices."),
        ({"lat": 51.2}, "lat", "extra_forbidden", "This field is not known."),
    ],
)
def test_an_impossible_report_is_a_422_with_a_code_and_nothing_is_saved(api, alice, syrym, overrides, field, code, message):
    response = api(alice).post("/border/reports", json=timed_json(**overrides))
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["message"]) == ("invalid", "Some fields are not valid.")
    assert body["fields"][field] == [{"code": code, "message": message}]
    assert BorderReport.objects.count() == 0


def test_past_the_rate_limit_the_api_answers_429(api, alice, syrym, settings):
    settings.HAVEN_BORDER_REPORTS_PER_10_MIN = 3
    client = api(alice)
    statuses = [client.post("/border/reports", json=timed_json()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    last = client.post("/border/reports", json=timed_json())
    assert last.json() == {"code": "rate_limited", "message": "Too many requests. Please wait a little.", "fields": {}}
    assert BorderReport.objects.count() == 3


def test_messages_follow_the_callers_language(api, alice, syrym):
    response = api(alice, language="ru").post("/border/reports", json=timed_json(passed_at=ago(hours=7).isoformat()))
    assert response.status_code == 422
    assert response.json()["fields"]["passed_at"][0]["code"] == "passed_before_joined"
