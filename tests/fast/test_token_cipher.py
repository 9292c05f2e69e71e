"""Sealing tokens: AES-GCM under named keys, bound to their column, plain values still read."""

from __future__ import annotations

import pytest

from app.token_cipher import TokenCipher, TokenKeyError, is_sealed, key_id_of, new_key_line

TOKEN = "xoxb-1234-5678-abcdefghijklmnop"
K1, K2 = new_key_line("k1"), new_key_line("k2")


def test_a_sealed_token_opens_to_itself_and_hides_it() -> None:
    cipher = TokenCipher.parse(K1)
    sealed = cipher.seal(TOKEN, "bot_token")
    assert is_sealed(sealed) and key_id_of(sealed) == "k1"
    assert TOKEN not in sealed and "xoxb" not in sealed
    assert cipher.open(sealed, "bot_token") == TOKEN
    assert cipher.seal(TOKEN, "bot_token") != sealed  # a fresh nonce every time


def test_a_token_is_bound_to_its_column() -> None:
    cipher = TokenCipher.parse(K1)
    with pytest.raises(TokenKeyError, match="does not open"):
        cipher.open(cipher.seal(TOKEN, "bot_token"), "user_token")


def test_a_changed_byte_is_refused() -> None:
    cipher = TokenCipher.parse(K1)
    sealed = cipher.seal(TOKEN, "bot_token")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(TokenKeyError, match="does not open"):
        cipher.open(flipped, "bot_token")


def test_the_first_key_seals_and_the_others_still_open() -> None:
    old = TokenCipher.parse(K1)
    both = TokenCipher.parse(f"{K2}, {K1}")
    sealed_by_old = old.seal(TOKEN, "bot_token")
    assert both.current == "k2" and not both.is_current(sealed_by_old)
    assert both.open(sealed_by_old, "bot_token") == TOKEN
    assert both.is_current(both.seal(TOKEN, "bot_token"))
    with pytest.raises(TokenKeyError, match=r"key 'k2'.*coach tokens reseal"):
        old.open(both.seal(TOKEN, "bot_token"), "bot_token")


def test_a_value_stored_before_sealing_reads_as_it_is() -> None:
    cipher = TokenCipher.parse(K1)
    assert cipher.open(TOKEN, "bot_token") == TOKEN
    assert key_id_of(TOKEN) is None and not cipher.is_current(TOKEN)


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("", "is empty"),
        (" , ", "is empty"),
        ("k1", "id:key pairs"),
        ("bad id:AAAA", "id:key pairs"),
        ("k1:not base64!", "not 32 bytes"),
        ("k1:c2hvcnQ", "not 32 bytes"),
        (f"{K1},{K1}", "twice"),
    ],
)
def test_a_malformed_setting_says_what_to_do(setting: str, says: str) -> None:
    with pytest.raises(TokenKeyError, match=says) as caught:
        TokenCipher.parse(setting)
    assert "\n" not in str(caught.value)


def test_new_keys_are_fresh_and_parse() -> None:
    assert new_key_line("k1") != new_key_line("k1")
    assert TokenCipher.parse(new_key_line()).current.startswith("k")
    with pytest.raises(TokenKeyError, match="choose another"):
        new_key_line("no spaces")
