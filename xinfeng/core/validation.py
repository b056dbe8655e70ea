from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .errors import ValidationFailed


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _nul_errors(obj) -> dict[str, list[str]]:
    """Text containing NUL cannot be stored by PostgreSQL; report it as a field error."""
    errors = {}
    for field in obj._meta.concrete_fields:
        text_like = isinstance(field, models.CharField | models.TextField | models.JSONField)
        if text_like and _has_nul(getattr(obj, field.attname, None)):
            errors[field.name] = [_("含有不允许的字符。")]
    return errors


def full_clean_or_raise(obj, **kwargs) -> None:
    """``obj.full_clean()``, turning Django's ValidationError into a ValidationFailed whose
    message names each field by its (translated) label, for API and page alike."""
    try:
        nul = _nul_errors(obj)
        if nul:
            raise ValidationError(nul)
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        parts = []
        for field, msgs in exc.message_dict.items():
            if field == "__all__":
                parts.append(" ".join(msgs))
            else:
                label = str(obj._meta.get_field(field).verbose_name)
                parts.append(f"{label}: {' '.join(msgs)}")
        raise ValidationFailed("；".join(parts), fields=exc.message_dict) from exc
