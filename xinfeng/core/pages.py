"""How pages answer a service's refusal — one place, so views do not repeat it.

Services raise ``core.errors.DomainError`` subclasses. The API turns them into JSON
(``xinfeng/api.py``); for pages:

- ``PageErrorsMiddleware``: a ``DomainError`` that leaves a page view answers with its
  status — ``NotFound`` the 404 page (out of scope looks exactly like missing),
  ``NotAuthenticated`` a redirect to sign in, any other the refusal page with the message.
  Views therefore call selectors and services without ``try/except NotFound``.
- ``apply_errors(form, exc)``: a refusal of a form's submission goes next to the fields it
  names (``ValidationFailed.fields``), else above the form; returns the status to answer.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from .errors import DomainError, NotAuthenticated, NotFound


def apply_errors(form, exc: DomainError) -> int:
    """Show a service's refusal on ``form``: per field where it names fields the form has,
    else as a form-wide error. Returns the HTTP status the page should answer with."""
    fields = getattr(exc, "fields", None) or {}
    shown = False
    for name, msgs in fields.items():
        if name in form.fields:
            for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
                form.add_error(name, msg)
            shown = True
    if not shown:
        form.add_error(None, str(exc.detail))
    return exc.status


def refusal_response(request, exc: DomainError):
    """The page answer to a refusal that no form shows."""
    if isinstance(exc, NotFound):
        return render(request, "404.html", status=404)
    if isinstance(exc, NotAuthenticated):
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "core/refused.html",
        {"detail": str(exc.detail), "status": exc.status},
        status=exc.status,
    )


class PageErrorsMiddleware:
    """Turn a ``DomainError`` escaping a page view into the right answer (see module doc).
    API paths are left to the API's own handlers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not isinstance(exc, DomainError) or request.path.startswith("/api/"):
            return None
        return refusal_response(request, exc)
