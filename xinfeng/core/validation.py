from django.core.exceptions import ValidationError

from .errors import ValidationFailed


def full_clean_or_raise(obj, **kwargs) -> None:
    """``obj.full_clean()``, turning Django's ValidationError into a ValidationFailed whose
    message names each field by its (translated) label, for API and page alike."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        parts = []
        for field, msgs in exc.message_dict.items():
            if field == "__all__":
                parts.append(" ".join(msgs))
            else:
                label = str(obj._meta.get_field(field).verbose_name)
                parts.append(f"{label}: {' '.join(msgs)}")
        raise ValidationFailed("；".join(parts)) from exc
