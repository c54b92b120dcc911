"""The Gravity IG's own examples go through the same parser chwlink emits with."""

import pytest
from fhir.resources.R4B import get_fhir_model_class

from tests.shared_fixtures import fhir_schema_errors, gravity_examples


def test_every_gravity_example_parses_with_the_r4b_models():
    examples = gravity_examples()
    assert len(examples) == 58
    for name, data in examples.items():
        model = get_fhir_model_class(data["resourceType"])
        parsed = model.model_validate(data)
        assert parsed.id == data["id"], name


def test_the_schema_check_accepts_the_examples_and_names_what_is_wrong():
    """The schema check the emitted resources face: it passes the IG's Tasks and
    refuses a Task with a status FHIR does not have, naming the element."""
    examples = gravity_examples()
    task = examples[
        "Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json"
    ]
    assert fhir_schema_errors(task) == []
    errors = fhir_schema_errors({**task, "status": "declined"})
    assert errors and errors[0].startswith("status:")


@pytest.mark.parametrize("name", ["Patient-pat-53234.json"])
def test_the_schema_check_refuses_an_unknown_element(name):
    patient = gravity_examples()[name]
    assert fhir_schema_errors({**patient, "nickname": "Col"})
