"""CSRF masks drawn from one getrandom() call (xinfeng.core.randomness): the same
distribution as Django's get_random_string, and what Django's CSRF check accepts."""

import string
from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client

from xinfeng.core.randomness import random_string

ALNUM = string.ascii_letters + string.digits


def test_django_csrf_masking_uses_it():
    assert csrf.get_random_string is random_string


@pytest.mark.parametrize("length", [0, 1, 7, 32, 64, 1000])
def test_length_and_alphabet(length):
    for alphabet in (ALNUM, "ab", "0123456789", "x"):
        s = random_string(length, alphabet)
        assert len(s) == length and set(s) <= set(alphabet)


def test_each_character_is_uniform():
    """Chi-square over 62 characters (61 degrees of freedom: mean 61, sd 11). A plain
    ``byte % 62`` would favour the first 8 characters by 5 to 4 (chi-square in the
    thousands); the bound is ~7 sd above the mean, so a fair draw never fails it."""
    counts = Counter("".join(random_string(64, ALNUM) for _ in range(4000)))
    total = sum(counts.values())
    expected = total / len(ALNUM)
    chi2 = sum((counts.get(c, 0) - expected) ** 2 / expected for c in ALNUM)
    assert chi2 < 140, chi2
    # Positions are independent of each other: the first characters are no less random.
    firsts = Counter(random_string(1, "ab") for _ in range(4000))
    assert 1700 < firsts["a"] < 2300, firsts


def test_draws_differ():
    assert len({random_string(32, ALNUM) for _ in range(1000)}) == 1000


def test_bad_alphabet_is_refused():
    with pytest.raises(ValueError):
        random_string(4, "")


def test_masked_tokens_pass_djangos_check(db):
    """A page's masked token, sent back, is accepted; a different mask of the same secret
    too (the point of masking), and a token that is not the secret's is refused."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = page.context["csrf_token"]
    assert len(token) == 64 and set(token) <= set(ALNUM)
    secret = csrf._unmask_cipher_token(token)
    assert secret == client.cookies["csrftoken"].value
    again = csrf._mask_cipher_secret(secret)
    assert again != token
    for masked in (token, again):
        answer = client.post("/accounts/login/", {"csrfmiddlewaretoken": masked, "username": "x"})
        assert answer.status_code != 403
    other = client.post(
        "/accounts/login/", {"csrfmiddlewaretoken": random_string(64, ALNUM), "username": "x"}
    )
    assert other.status_code == 403
