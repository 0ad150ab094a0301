import pytest
from django.core.management import call_command

from haven.accounts.models import User
from haven.aid.models import Need, Offer
from haven.demo.scenario import CITY_WEIGHTS, DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_2022_scenario_with_an_account_for_every_role(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.username in out
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
    assert {User.objects.get(username=a.username).role for a in DEMO_ACCOUNTS} == {
        "seeker", "host", "organisation", "driver", "coordinator", "admin",
    }
    cinema = Offer.objects.get(owner__username="demo-cinema", kind="shelter")
    assert (cinema.city.slug, cinema.capacity) == ("uralsk", 80)
    assert Need.objects.count() >= 300
    assert Offer.objects.count() >= 200
    assert set(Need.objects.values_list("city__slug", flat=True)) == set(CITY_WEIGHTS)
    assert Need.objects.filter(children__gt=0).exists()
    assert Need.objects.filter(elderly__gt=0).exists()
    assert Need.objects.filter(pets__gt=0, adults=2).exists()
    assert Need.objects.filter(on_behalf=True).count() == 1
    # Running it again changes nothing.
    needs = Need.objects.count()
    call_command("demo")
    assert Need.objects.count() == needs


def test_the_demo_is_deterministic(django_db_blocker):
    from haven.demo.scenario import load_demo

    load_demo()
    first = list(Need.objects.order_by("owner__username").values_list("city__slug", "adults", "children", "elderly", "pets"))
    Need.objects.all().delete()
    Offer.objects.all().delete()
    User.objects.all().delete()
    load_demo()
    second = list(Need.objects.order_by("owner__username").values_list("city__slug", "adults", "children", "elderly", "pets"))
    assert first == second
