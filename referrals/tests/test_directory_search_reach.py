"""Directory search reaches the description too and reads eight words at most; a
program manager of the CBO reads their own directory."""

import pytest
from django.urls import reverse

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.demo_directory import seed_directory

LIST_URL = reverse("referrals:resource-list")


@pytest.fixture
def directory(partnership, supervisor):
    return seed_directory(partnership.cbo)


def listed(response):
    return [service.name for service in response.context["page_obj"]]


def test_a_word_of_the_description_alone_finds_the_service(
    login, clinic_user, directory
):
    response = login(clinic_user).get(LIST_URL, {"q": "groceries"})
    assert listed(response) == ["Community food pantry"]


def test_words_after_the_eighth_are_not_searched(login, clinic_user, directory):
    eight = " ".join(["groceries"] * 8)
    response = login(clinic_user).get(LIST_URL, {"q": f"{eight} nowhere"})
    assert listed(response) == ["Community food pantry"]


def test_a_program_manager_of_the_cbo_reads_its_directory(
    login, partnership, directory
):
    cbo_manager = UserFactory(
        role=User.Role.PROGRAM_MANAGER, organization=partnership.cbo
    )
    response = login(cbo_manager).get(LIST_URL, {"q": "groceries"})
    assert listed(response) == ["Community food pantry"]
