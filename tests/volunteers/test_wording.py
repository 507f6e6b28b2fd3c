"""Counts in volunteer pages and emails agree in number: "1 month", "2 months"."""

import pytest
from django.template.loader import render_to_string


@pytest.mark.parametrize(("months", "words"), [(1, "for 1 month after"), (2, "for 2 months after")])
@pytest.mark.parametrize("kind", ["txt", "html"])
def test_the_inactivity_warning_counts_months_in_number(months, words, kind):
    context = {"months": months, "anonymise_on": "1 March 2027", "name": "Priya"}
    text = render_to_string(f"emails/volunteers-inactivity-warning-body.{kind}", context)
    assert words in text
