"""A partnership's holiday calendar and reopening window, set on its edit page."""

from django.urls import reverse

from partners.models import Partnership


def edit_data(partnership, **changes):
    return {
        "name": partnership.name,
        "status": partnership.status,
        "time_zone": "America/Los_Angeles",
        "business_days": ["0", "1", "2", "3", "4"],
    } | changes


def edit(login, manager, partnership, **changes):
    url = reverse("partners:partnership-edit", args=[partnership.code])
    return login(manager).post(url, edit_data(partnership, **changes))


def test_a_state_of_the_chosen_country_is_kept_in_capitals(login, manager, partnership):
    response = edit(
        login, manager, partnership, holiday_country="US", holiday_subdivision="or"
    )
    assert response.status_code == 302
    stored = Partnership.objects.get(pk=partnership.pk)
    assert (stored.holiday_country, stored.holiday_subdivision) == ("US", "OR")


def test_an_unknown_state_is_refused_beside_the_field(login, manager, partnership):
    response = edit(
        login,
        manager,
        partnership,
        name="Typed name",
        holiday_country="US",
        holiday_subdivision="ZZ",
    )
    assert response.context["form"].errors == {
        "holiday_subdivision": ["ZZ is not a state or province of the chosen country."]
    }
    assert "Typed name" in response.content.decode()
    assert Partnership.objects.get(pk=partnership.pk).holiday_subdivision == ""


def test_the_reopening_window_is_kept_when_left_empty_and_bounded(
    login, manager, partnership
):
    assert edit(login, manager, partnership, reopen_window_days="45").status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).reopen_window_days == 45
    assert edit(login, manager, partnership).status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).reopen_window_days == 45
    response = edit(login, manager, partnership, reopen_window_days="400")
    assert "reopen_window_days" in response.context["form"].errors
    assert Partnership.objects.get(pk=partnership.pk).reopen_window_days == 45


def test_a_new_partnership_starts_on_the_us_calendar(login, manager):
    page = login(manager).get(reverse("partners:partnership-new"))
    assert page.context["form"]["holiday_country"].value() == "US"
