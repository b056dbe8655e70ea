"""Pages answer a service's refusal in one place (core.pages): a DomainError leaving a page
view becomes the 404 page, a sign-in redirect or the refusal page with its status; API paths
keep their JSON; ``apply_errors`` puts a refusal on the form fields it names."""

import pytest
from django import forms
from django.http import HttpResponse
from django.urls import path

from xinfeng import urls as project_urls
from xinfeng.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xinfeng.core.pages import apply_errors


def _raiser(exc):
    def view(request):
        raise exc

    return view


urlpatterns = [
    path("p/missing/", _raiser(NotFound())),
    path("p/forbidden/", _raiser(PermissionDenied("只有站长可以这样做。"))),
    path("p/conflict/", _raiser(Conflict("订单状态已变化。"))),
    path("p/signin/", _raiser(NotAuthenticated())),
    path("p/fine/", lambda request: HttpResponse("ok")),
    path("api/v1/p/missing/", _raiser(NotFound())),
    *project_urls.urlpatterns,  # the pages' base template links to them
]


@pytest.fixture
def urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
def test_a_refusal_leaving_a_page_view_answers_its_status(client, urls):
    assert client.get("/p/fine/").content == b"ok"
    missing = client.get("/p/missing/")
    assert missing.status_code == 404
    assert "<html" in missing.content.decode().lower()
    forbidden = client.get("/p/forbidden/")
    assert forbidden.status_code == 403
    assert "只有站长可以这样做。" in forbidden.content.decode()
    conflict = client.get("/p/conflict/")
    assert conflict.status_code == 409
    assert "订单状态已变化。" in conflict.content.decode()
    signin = client.get("/p/signin/?x=1")
    assert signin.status_code == 302
    assert "/accounts/login/" in signin["Location"]
    assert "next=/p/signin/" in signin["Location"]


@pytest.mark.django_db
def test_api_paths_are_left_to_the_api(client, urls):
    # Not turned into an HTML page here: the exception goes on to the API's own handling
    # (the real API router answers JSON; this bare view has none, so it propagates).
    client.raise_request_exception = True
    with pytest.raises(NotFound):
        client.get("/api/v1/p/missing/")


class _Form(forms.Form):
    name = forms.CharField()
    phone = forms.CharField()


def test_apply_errors_puts_messages_on_the_fields_it_names():
    form = _Form({"name": "x", "phone": "y"})
    assert form.is_valid()
    status = apply_errors(
        form, ValidationFailed("手机号无效。", fields={"phone": ["手机号无效。"]})
    )
    assert status == 400
    assert form.errors == {"phone": ["手机号无效。"]}

    form = _Form({"name": "x", "phone": "y"})
    assert form.is_valid()
    assert apply_errors(form, Conflict("名额已满。")) == 409
    assert form.non_field_errors() == ["名额已满。"]
    # A field the form does not have goes above the form rather than being lost.
    form = _Form({"name": "x", "phone": "y"})
    form.is_valid()
    apply_errors(form, ValidationFailed("地址必填。", fields={"address": ["地址必填。"]}))
    assert form.non_field_errors() == ["地址必填。"]
