"""Password hashing and the rules for new passwords (pure)."""

from __future__ import annotations

from argon2 import PasswordHasher

from hub.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


def test_a_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    stored = hash_password("richtig-langes-passwort")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "richtig-langes-passwort")
    assert not verify_password(stored, "falsch-langes-passwort")


def test_no_account_never_verifies() -> None:
    assert not verify_password(None, "familienhub-no-such-account")
    assert not verify_password("", "irgendein-passwort")


def test_a_garbled_hash_is_a_failed_check_not_an_error() -> None:
    assert not verify_password("$argon2id$kaputt", "irgendein-passwort")


def test_a_hash_made_with_weaker_parameters_asks_for_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash("richtig-langes-passwort")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("richtig-langes-passwort"))


def test_new_passwords_need_twelve_characters_and_a_matching_repeat() -> None:
    assert password_problem("kurz") == "Das Passwort muss mindestens 12 Zeichen lang sein."
    assert password_problem("lang-genug-123", "lang-genug-124") == (
        "Die beiden Passwörter stimmen nicht überein."
    )
    assert password_problem("lang-genug-123", "lang-genug-123") is None
