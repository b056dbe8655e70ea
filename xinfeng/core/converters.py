"""URL converters. ``<id:pk>`` matches 1 to 18 digits: always inside a 64-bit integer
column, so an absurd id in a page URL is a plain 404 instead of a database error."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
