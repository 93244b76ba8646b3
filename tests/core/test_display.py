"""core/display.py: a choice's label, in the language active when shown."""

from __future__ import annotations

from django.utils import translation

from openmil.pathways.models import Goal


def test_label_follows_the_active_language():
    goal = Goal(status=Goal.Status.ACHIEVED)
    with translation.override("en"):
        english = goal.get_status_display()
    with translation.override("fr"):
        french = goal.get_status_display()
    assert english == "Achieved"
    assert french != english
    with translation.override("fr"):
        assert french == str(Goal.Status.ACHIEVED.label)


def test_unknown_value_is_shown_as_it_is():
    assert Goal(status="archived").get_status_display() == "archived"


def test_same_labels_as_django_for_every_choice():
    for value, label in Goal.Status.choices:
        assert Goal(status=value).get_status_display() == str(label)
