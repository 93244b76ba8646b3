import datetime as dt

from openmil.network.demo import populate_network
from openmil.network.models import Adoption, MipexScore, Practice
from openmil.network.selectors import practice_search


def test_demo_practices_are_published_searchable_and_adopted(lab_a, lab_b, coordinator):
    populate_network(labs=[lab_a, lab_b], today=dt.date(2026, 6, 1))
    assert Practice.objects.filter(status="published").count() == 3
    hits = practice_search(user=coordinator, query="traiteur")
    assert [h.version.language for h in hits] == ["fr"]
    assert Adoption.objects.get().lab == lab_b
    assert MipexScore.objects.filter(country="IT").count() == 8
