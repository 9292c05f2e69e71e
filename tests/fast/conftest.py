"""The fast tier: rules, parsers, renderers and checks of the code itself.

Nothing here may touch a database, the Slack sandbox or the bot: the fixtures that start them
fail here, with a sentence saying where such a test belongs.
"""

from __future__ import annotations

import pytest

E2E = "the fast tier starts no database, sandbox or bot: put this test under tests/e2e/"


@pytest.fixture
def database_url() -> None:
    pytest.fail(E2E)


@pytest.fixture
def sandbox() -> None:
    pytest.fail(E2E)


@pytest.fixture
def deps() -> None:
    pytest.fail(E2E)


@pytest.fixture
def bot() -> None:
    pytest.fail(E2E)


@pytest.fixture
def driver() -> None:
    pytest.fail(E2E)
