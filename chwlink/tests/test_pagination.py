"""Long lists count at most a hundred pages: the page still says there is more."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chwlink.lib.pagination import CappedPaginator, page_of
from referrals import selectors
from referrals.models import Notification
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import assigned_referral

LIST_URL = reverse("referrals:notification-list")


def notifications_for(user, how_many):
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Notification.Kind.ASSIGNED_TO_YOU, link="/")
        for _ in range(how_many)
    )


def test_a_short_list_shows_its_exact_number_of_pages(login, navigator):
    notifications_for(navigator, 30)
    page = login(navigator).get(LIST_URL).content.decode()
    assert "Page 1 of 2<" in page


def test_a_long_list_is_counted_only_a_few_pages_past_the_one_shown(login, navigator):
    notifications_for(navigator, 100 * 25 + 1)
    client = login(navigator)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(LIST_URL).content.decode()
    assert "Page 1 of 10+<" in first
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert any("LIMIT 251" in sql for sql in counts)
    assert "Page 10 of 19+<" in client.get(LIST_URL, {"page": 10}).content.decode()
    # Near the end the count is exact; past it, the last page.
    assert "Page 100 of 101<" in client.get(LIST_URL, {"page": 100}).content.decode()
    assert "Page 101 of 101<" in client.get(LIST_URL, {"page": 250}).content.decode()
    # A number beyond any database integer is past the end too, not an error.
    huge = client.get(LIST_URL, {"page": "9" * 25})
    assert huge.status_code == 200
    assert "Page 101 of 101<" in huge.content.decode()
    assert "Page 1 of 10+<" in client.get(LIST_URL, {"page": "x"}).content.decode()


def test_a_list_of_exactly_the_counted_pages_is_not_said_to_have_more():
    paginator = CappedPaginator(list(range(100 * 25)), 25)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (
        2500,
        100,
        False,
    )
    one_more = CappedPaginator(list(range(100 * 25 + 1)), 25)
    assert (one_more.count, one_more.capped) == (2500, True)


def test_counting_a_caseload_does_not_compute_its_overdue_flags(
    login, partnership, supervisor, navigator
):
    referrals = [
        assigned_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
        for _ in range(3)
    ]
    client = login(navigator)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("referrals:caseload")).content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert not any("CASE" in sql for sql in counts)
    assert all(str(referral.code) in page for referral in referrals)
    caseload = selectors.caseload_for_navigator(user=navigator)
    assert (CappedPaginator(caseload, 2).count, page_of(caseload, 2, 2).number) == (
        3,
        2,
    )


def test_distinct_rows_of_a_join_are_counted_as_shown(partnership):
    from django.db.models import F

    from partners.models import Partnership

    for status in ("submitted", "accepted", "accepted"):
        ReferralFactory(partnership=partnership, status=status)
    rows = Partnership.objects.annotate(status_of=F("referrals__status")).distinct()
    assert CappedPaginator(rows, 25).count == len(list(rows)) == 2
