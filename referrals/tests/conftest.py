import pytest

from evaluation.tests.factories import caseload_referral
from referrals.tests.states import at


@pytest.fixture
def caseload_at(partnership, supervisor, navigator):
    """``caseload_at(moment, **fields)``: a referral of the partnership that the
    supervisor accepts and gives to the navigator at ``moment``."""

    def assigned(moment, **fields):
        return at(
            moment,
            caseload_referral,
            partnership=partnership,
            supervisor=supervisor,
            navigator=navigator,
            **fields,
        )

    return assigned
