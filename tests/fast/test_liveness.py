from app.db.liveness import needs_ping


def test_only_a_connection_idle_for_the_window_or_never_returned_is_pinged() -> None:
    assert needs_ping(None, 100.0, 10.0)  # never handed back since it opened: no record
    assert needs_ping(90.0, 100.0, 10.0)  # idle exactly the window
    assert needs_ping(10.0, 100.0, 10.0)
    assert not needs_ping(99.5, 100.0, 10.0)  # back half a second ago: as alive as a ping says
