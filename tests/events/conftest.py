import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The throttle counts in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
